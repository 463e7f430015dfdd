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

from django.core.management.base import BaseCommand
from django.db import transaction

from kpis.models import KpiRun
from pathway.management.commands._dataset_commands import demo_author_and_units, seed_as_of, seed_skipped
from pop import demo, services
from pop.models import PopRecord

MAX_YEARS = 10


@transaction.atomic
def seed_pop_data(*, seed: int, as_of: date, years: int) -> list[PopRecord]:
    author, units = demo_author_and_units()
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
        if seed_skipped(self, existing=PopRecord.objects.count(), rows_word="POP records",
                        data_word="POP demo data", if_empty=options["if_empty"]):
            return
        as_of = seed_as_of(options, max_years=MAX_YEARS)
        started = time.monotonic()
        records = seed_pop_data(seed=options["seed"], as_of=as_of, years=options["years"])
        run = services.compute_pop_kpis(as_of=as_of, trigger=KpiRun.Trigger.MANUAL)
        flagged = sum(bool(r.dq_flags) for r in records)
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {len(records)} POP records as of {as_of:%d/%m/%Y} ({flagged} flagged for data quality); "
            f"POP KPI run {run.pk}: {run.rows_written} figures; {time.monotonic() - started:.1f} s."))
