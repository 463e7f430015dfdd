"""Demo live births for the East of England units (dataset.md "Live births"; domain.md §3.3, §9).

Watford ~5,400, Southend and Ipswich ~3,500 births a year are from domain.md §3.3; the other units are
plausible figures for their size (NICUs and large LNUs 4,500–6,000, SCUs 2,000–2,800), so the network's
total is about 67,000, the order domain.md §8 gives for the East of England (65–70k). Each year drifts
down about 1 % (births in England have fallen every year since 2012) with a little seeded noise.
Only complete years are given: the current year has no figure yet, as in real life, so its incidence
counts its babies as missing.
"""

from __future__ import annotations

import random

from django.db import transaction

from units.access import UserLike
from units.births import unit_year_save
from units.models import LiveBirths, Unit

BIRTHS_PER_YEAR: dict[str, int] = {
    "RGT01": 5_600,
    "RM102": 6_000,
    "RC971": 5_100,
    "RC979": 2_800,
    "RWH01": 5_000,
    "RWG02": 5_400,
    "RQWG0": 4_000,
    "RQ8L0": 4_800,
    "RAJ12": 4_200,
    "RAJ01": 3_500,
    "RDEE4": 3_800,
    "RDE03": 3_500,
    "RGR50": 2_400,
    "RGN80": 4_500,
    "RGN90": 2_100,
    "RCX70": 2_200,
    "RGP75": 2_200,
}
YEARLY_DRIFT = 0.99
NOISE = 0.02


def demo_figure(base: int, years_back: int, rng: random.Random) -> int:
    """Births `years_back` years before the base year: drifted up into the past, with ±2 % noise."""
    return round(base / YEARLY_DRIFT**years_back * (1 + rng.uniform(-NOISE, NOISE)))


@transaction.atomic
def seed_live_births(*, last_year: int, years: int, seed: int, by: UserLike | None) -> int:
    """Live births for every network unit of BIRTHS_PER_YEAR, for `years` years up to `last_year`."""
    rng = random.Random(seed)
    written = 0
    for unit in Unit.objects.filter(ods_code__in=BIRTHS_PER_YEAR).order_by("ods_code"):
        for back in range(years):
            births = demo_figure(BIRTHS_PER_YEAR[unit.ods_code], back, rng)
            written += unit_year_save(unit=unit, year=last_year - back, live_births=births, by=by) != "unchanged"
    return written


def has_figures() -> bool:
    return LiveBirths.objects.exists()
