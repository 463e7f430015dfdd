"""`python manage.py seed_aims [--if-empty]`: example network aims for the demo (`make demo` calls it).

Aims are the network's decision, made by its administrators in the admin ("Network aims"); these examples
exist so the demo's charts and colours show what an aim looks like. Each says it is a demo aim, and goes
through `kpis.aims.set_aim` (validated and audited) as the demo administrator.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, Final

from django.core.management.base import BaseCommand

from kpis import aims
from kpis.models import NetworkAim
from units.demo_users import demo_users_ensure

# code → (aim as people read it: percent or minutes, why)
DEMO_AIMS: Final = {
    "cooling_started_6h": (95, "Demo aim"),
    "target_temp_6h": (91, "Demo aim: the East of England 2012 figure"),
    "core_monitoring_before_transfer": (95, "Demo aim"),
    "overcooling_before_centre": (5, "Demo aim"),
    "arrival_temp_in_range": (80, "Demo aim"),
    "parent_consultation_24h": (95, "Demo aim"),
    "placenta_sent": (75, "Demo aim"),
    "mri_before_discharge": (95, "Demo aim"),
    "followup_2y": (80, "Demo aim"),
    "age_at_cooling_start_min": (60, "Demo aim"),
}


class Command(BaseCommand):
    help = "Set example network aims for the demo (as the demo administrator)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any aim is set")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and NetworkAim.objects.exists():
            self.stdout.write("Network aims are already set; nothing to do.")
            return
        admin = demo_users_ensure()["admin"]
        for code, (value, why) in DEMO_AIMS.items():
            aims.set_aim(kpi=code, value=value, rationale=why, by=admin)
        self.stdout.write(f"Set {len(DEMO_AIMS)} demo network aims as {admin.get_username()}.")
