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

from django.core.management.base import BaseCommand
from django.db import transaction

from pathway import demo, services
from pathway.management.commands._dataset_commands import (
    clear_taken_nhs_numbers,
    demo_author_and_units,
    seed_as_of,
    seed_skipped,
)
from pathway.models import Case
from units.access import UserLike
from units.demo_users import DEMO_PASSWORD, LONDON_DEMO_USERS, demo_users_ensure
from units.models import Unit
from units.services import LONDON_FILE, organisations_load_file

MAX_YEARS = 20


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


NETWORKS: dict[str, demo.DemoNetwork] = {"london": demo.LONDON_REGION}


@transaction.atomic
def seed_demo_data(*, seed: int, as_of: date, years: int, network: str | None = None) -> list[Case]:
    """Load the network and demo users, then write the demo cases; all or nothing. With `network` ("london"):
    also load that region's reference file and demo logins, and write its share of cases (demo.DemoNetwork)."""
    author, units = demo_author_and_units()
    if network is not None:
        organisations_load_file(LONDON_FILE)
        author = demo_users_ensure(LONDON_DEMO_USERS)["london_nurse"]
        units = {unit.ods_code: unit for unit in Unit.objects.all()}
    generated = demo.generate(random.Random(seed), as_of=as_of, years=years,
                              network=NETWORKS[network] if network else None)
    if network is not None:  # another seed's NHS numbers may meet the East of England's: leave those out
        clear_taken_nhs_numbers(generated, Case)
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
        parser.add_argument("--network", choices=sorted(NETWORKS), default=None,
                            help="another region's demo: load its reference file and logins, and seed a share of "
                                 "the cases on its units (--if-empty then looks at its cases only)")

    def handle(self, *args: object, **options: Any) -> None:
        network = options["network"]
        existing = (Case.objects.filter(case_ref__startswith=f"{NETWORKS[network].prefix}-") if network
                    else Case.objects.all()).count()
        if seed_skipped(self, existing=existing, rows_word="cases", data_word="demo data",
                        if_empty=options["if_empty"]):
            return
        as_of = seed_as_of(options, max_years=MAX_YEARS)
        started = time.monotonic()
        cases = seed_demo_data(seed=options["seed"], as_of=as_of, years=options["years"], network=network)
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
