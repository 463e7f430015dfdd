"""`python manage.py seed_pop [--seed N] [--years Y] [--as-of YYYY-MM-DD] [--if-empty] [--network london]`:
synthetic POP records.

Every record goes through `pop.services.pop_create` (validated and audited like real data), in one
transaction; then the POP figures are computed for every period. The same --seed and --as-of always give the
same records. `make demo` calls it with --if-empty after `seed_demo`, and with `--network london` after
`seed_demo --network london` (issue 18): that region's share of records, written by the London nurse
specialist; --if-empty then looks at that network's demo records only (and without --network at the others).
"""

from __future__ import annotations

import random
import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kpis.models import KpiRun
from pathway.demo import DemoNetwork
from pathway.management.commands._dataset_commands import demo_author_and_units, seed_as_of, seed_skipped
from pathway.management.commands.seed_demo import NETWORKS
from pop import demo, services
from pop.models import PopRecord, PopRecordQuerySet
from units.access import UserLike
from units.demo_users import LONDON_DEMO_USERS, demo_users_ensure
from units.models import Unit

MAX_YEARS = 10


def _london_author_and_units() -> tuple[UserLike, dict[str, Unit]]:
    units = {unit.ods_code: unit for unit in Unit.objects.all()}
    if "RRV03" not in units:
        raise CommandError("The London units are not loaded: run `seed_demo --network london` first.")
    return demo_users_ensure(LONDON_DEMO_USERS)["london_nurse"], units


def existing_records(network: DemoNetwork | None) -> PopRecordQuerySet:
    """The demo records --if-empty looks at: the network's (by its reference prefix), or the East of
    England's (every record no other demo network's prefix names)."""
    if network is not None:
        return PopRecord.objects.filter(case_ref__startswith=f"{network.prefix}-POP-")
    records = PopRecord.objects.all()
    for other in NETWORKS.values():
        records = records.exclude(case_ref__startswith=f"{other.prefix}-POP-")
    return records


@transaction.atomic
def seed_pop_data(*, seed: int, as_of: date, years: int, network: str | None = None) -> list[PopRecord]:
    author, units = _london_author_and_units() if network else demo_author_and_units()
    generated = demo.generate(random.Random(seed), as_of=as_of, years=years,
                              network=NETWORKS[network] if network else None)
    if network is not None:  # another seed's NHS numbers may meet the East of England's: leave those out
        taken = set(PopRecord.objects.filter(nhs_number__in=[v["nhs_number"] for v in generated if v["nhs_number"]])
                    .values_list("nhs_number", flat=True))
        for values in generated:
            if values["nhs_number"] in taken:
                values["nhs_number"] = ""
    return [services.pop_create(values={**values, "birth_unit": units[values["birth_unit"]]}, by=author)
            for values in generated]


class Command(BaseCommand):
    help = "Load synthetic POP records (babies born before 34+0 weeks) and compute the POP figures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--years", type=int, default=3, help="network-years of records (default 3)")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="YYYY-MM-DD: the data describe 00:00 UK time on this date (default today)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the database already holds POP records (for `make demo`)")
        parser.add_argument("--network", choices=sorted(NETWORKS), default=None,
                            help="another region's demo (after `seed_demo --network london`): a share of the "
                                 "records on its units (--if-empty then looks at its records only)")

    def handle(self, *args: object, **options: Any) -> None:
        network = options["network"]
        existing = existing_records(NETWORKS[network] if network else None).count()
        if seed_skipped(self, existing=existing, rows_word="POP records",
                        data_word="POP demo data", if_empty=options["if_empty"]):
            return
        as_of = seed_as_of(options, max_years=MAX_YEARS)
        started = time.monotonic()
        records = seed_pop_data(seed=options["seed"], as_of=as_of, years=options["years"], network=network)
        run = services.compute_pop_kpis(as_of=as_of, trigger=KpiRun.Trigger.MANUAL)
        flagged = sum(bool(r.dq_flags) for r in records)
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {len(records)} POP records as of {as_of:%d/%m/%Y} ({flagged} flagged for data quality); "
            f"POP KPI run {run.pk}: {run.rows_written} figures; {time.monotonic() - started:.1f} s."))
