"""`python manage.py seed_pop [--seed N] [--years Y] [--as-of YYYY-MM-DD] [--if-empty]`: synthetic POP records.

Every record goes through `pop.services.pop_create` (validated and audited like real data), in one
transaction; then the POP figures are computed for every period. The same --seed and --as-of always give the
same records. `make demo` calls it with --if-empty after `seed_demo`.
"""

from __future__ import annotations

import random
import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kpis.models import KpiRun
from pop import demo, services
from pop.models import PopRecord
from units.demo_users import demo_users_ensure
from units.models import Unit
from units.services import network_load_reference

MAX_YEARS = 10


@transaction.atomic
def seed_pop_data(*, seed: int, as_of: date, years: int) -> list[PopRecord]:
    network_load_reference()
    author = demo_users_ensure()["nurse"]
    units = {unit.ods_code: unit for unit in Unit.objects.all()}
    return [services.pop_create(values={**values, "birth_unit": units[values["birth_unit"]]}, by=author)
            for values in demo.generate(random.Random(seed), as_of=as_of, years=years)]


class Command(BaseCommand):
    help = "Load synthetic POP records (babies born before 34+0 weeks) and compute the POP figures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--years", type=int, default=3, help="network-years of records (default 3)")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="YYYY-MM-DD: the data describe 00:00 UK time on this date (default today)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the database already holds POP records (for `make demo`)")

    def handle(self, *args: object, **options: Any) -> None:
        existing = PopRecord.objects.count()
        if existing and options["if_empty"]:
            self.stdout.write(f"{existing} POP records already in the database: POP demo data not loaded.")
            return
        if existing:
            raise CommandError(f"The database already holds {existing} POP records. seed_pop only fills an empty "
                               "database (its case references would clash); use --if-empty to skip quietly.")
        as_of: date = options["as_of"] or timezone.localdate()
        if as_of > timezone.localdate():
            raise CommandError(f"--as-of {as_of} is in the future: births cannot be in the future.")
        if not 1 <= options["years"] <= MAX_YEARS:
            raise CommandError(f"--years must be between 1 and {MAX_YEARS}.")
        started = time.monotonic()
        records = seed_pop_data(seed=options["seed"], as_of=as_of, years=options["years"])
        run = services.compute_pop_kpis(as_of=as_of, trigger=KpiRun.Trigger.MANUAL)
        flagged = sum(bool(r.dq_flags) for r in records)
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {len(records)} POP records as of {as_of:%d/%m/%Y} ({flagged} flagged for data quality); "
            f"POP KPI run {run.pk}: {run.rows_written} figures; {time.monotonic() - started:.1f} s."))
