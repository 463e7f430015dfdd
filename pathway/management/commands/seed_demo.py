"""`python manage.py seed_demo`: the demo network, one login per role and ~5 years of synthetic cases.

Every case goes through `services.case_create` (validated and audited like real data), and a sample of
recent ones gets a temperature chart through `services.temperature_add`. The same --seed and --as-of
always give the same cases. `make run` calls it with --if-empty on every start.
"""

from __future__ import annotations

import random
import time
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pathway import demo, services
from pathway.models import Case
from units.access import UserLike
from units.demo_users import DEMO_PASSWORD, demo_users_ensure
from units.models import Unit
from units.services import network_load_reference

MAX_YEARS = 20


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


@transaction.atomic
def seed_demo_data(*, seed: int, as_of: date, years: int) -> list[Case]:
    """Load the network and demo users, then write the demo cases; all or nothing."""
    network_load_reference()
    author = demo_users_ensure()["nurse"]  # the clinical nurse specialist keeps the regional register
    units = {unit.ods_code: unit for unit in Unit.objects.all()}
    generated = demo.generate(random.Random(seed), as_of=as_of, years=years)
    cases = {values["case_ref"]: services.case_create(values=demo.resolve_units(values, units), by=author)
             for values in generated}
    _add_temperatures(generated, cases, seed=seed, as_of=as_of, author=author)
    return list(cases.values())


def _add_temperatures(generated: Sequence[Mapping[str, Any]], cases: Mapping[str, Case], *, seed: int,
                      as_of: date, author: UserLike) -> None:
    values = {v["case_ref"]: v for v in generated}
    snapshot = demo.snapshot_instant(as_of)
    for ref in demo.temperature_sample(generated):
        # One generator per case, seeded by its reference, so the charts do not shift the case values.
        rng = random.Random(f"{seed}:{ref}")
        for observed_at, temp_c, site in demo.temperature_series(rng, values[ref], snapshot):
            services.temperature_add(case=cases[ref], observed_at=observed_at, temp_c=temp_c, site=site,
                                     by=author)


class Command(BaseCommand):
    help = "Load the demo network, one demo login per role and about five years of synthetic HIE cases."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--years", type=int, default=5, help="network-years of cases (default 5)")
        parser.add_argument("--as-of", type=_as_of, default=None,
                            help="YYYY-MM-DD: the data describe 00:00 UK time on this date (default today)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the database already holds cases (for `make run`)")

    def handle(self, *args: object, **options: Any) -> None:
        existing = Case.objects.count()
        if existing and options["if_empty"]:
            self.stdout.write(f"{existing} cases already in the database: demo data not loaded.")
            return
        if existing:
            raise CommandError(f"The database already holds {existing} cases. seed_demo only fills an empty "
                               "database (its case references would clash); use --if-empty to skip quietly.")
        today = timezone.localdate()
        as_of: date = options["as_of"] or today
        if as_of > today:
            raise CommandError(f"--as-of {as_of} is in the future: births cannot be in the future.")
        if not 1 <= options["years"] <= MAX_YEARS:
            raise CommandError(f"--years must be between 1 and {MAX_YEARS}.")
        started = time.monotonic()
        cases = seed_demo_data(seed=options["seed"], as_of=as_of, years=options["years"])
        self._report(cases, as_of, options["years"], time.monotonic() - started)

    def _report(self, cases: Sequence[Case], as_of: date, years: int, seconds: float) -> None:
        cooled = [c for c in cases if c.is_cooled]
        outborn = sum(c.is_outborn for c in cooled)
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {len(cases)} demo cases as of {as_of:%d/%m/%Y} in {seconds:.1f} s: {len(cooled)} cooled "
            f"({100 * outborn / max(len(cooled), 1):.0f}% outborn), {len(cases) - len(cooled)} referred but "
            "not cooled."))
        for start, end in demo.network_years(as_of, years):
            born = [c for c in cases if start <= c.birth_datetime < end]
            n_cooled = sum(c.is_cooled for c in born)
            self.stdout.write(f"  {start:%d/%m/%Y} to {end - timedelta(days=1):%d/%m/%Y}: {n_cooled} cooled, "
                              f"{len(born) - n_cooled} not cooled")
        self.stdout.write(f"Demo logins use the password {DEMO_PASSWORD!r}: see `python manage.py demo_logins`.")
