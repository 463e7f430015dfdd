"""Synthetic POP records for the demo (domain.md §9 "POP cohort" and §5.3 national figures).

Pure functions over a `random.Random`: the same seed and as-of date give the same records. Nothing here
touches the database; `seed_pop` writes every record through `pop.services.pop_create`, so each one is
validated and audited like real data.

Distributions (domain.md §9; [U] marks a guess there or here): births < 34 weeks ≈ 2.5 % of births [U], weighted
by the units' notional births (pathway.demo); per-element compliance near the national figures: magnesium
sulphate ~87 %, deferred cord clamping ~70 %, steroids (any) ~90 % [U], normothermia ~70–85 % [S], breast milk
within 24 h ~80 % [U]; 2–5 % of optional values left unrecorded so the data-quality views are not empty.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.timeutil import LONDON
from pathway.demo import CENTRE_BIRTHS, REFERRING_BIRTHS, DemoNetwork, Identities, network_years, snapshot_instant
from units.reference import UNITS

POP_SHARE = 0.025  # births before 34+0 weeks, of all births (domain.md §9: 2–3 % [U])
# Completed weeks at birth among babies born before 34 weeks [U]: most are 32–33 weeks.
WEEK_WEIGHTS: dict[int, float] = {22: 1, 23: 2, 24: 3, 25: 3, 26: 4, 27: 4, 28: 5, 29: 6, 30: 8, 31: 10, 32: 22,
                                  33: 32}
# Roughly the 50th centile birth weight by completed week [U]; SD 15 % of it.
MEDIAN_WEIGHT_G: dict[int, int] = {22: 500, 23: 580, 24: 660, 25: 760, 26: 870, 27: 990, 28: 1120, 29: 1270,
                                   30: 1430, 31: 1600, 32: 1780, 33: 1980}
NICU_CODES = frozenset(u["ods"] for u in UNITS if u["designation"] == "NICU")
MISSING_RATE = 0.03
# No birth in the last two days before the snapshot: the first day's milk and temperature are then known.
LAST_BIRTH_GAP = timedelta(days=2)


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(high, max(low, median * math.exp(rng.gauss(0.0, sigma))))


def _births(rng: random.Random, as_of: date, years: int) -> list[datetime]:
    births_per_year = sum(REFERRING_BIRTHS.values()) + sum(CENTRE_BIRTHS.values())
    moments: list[datetime] = []
    for start, end in network_years(as_of, years):
        end = min(end, snapshot_instant(as_of) - LAST_BIRTH_GAP)
        span = (end - start).total_seconds()
        count = round(births_per_year * POP_SHARE * rng.uniform(0.9, 1.1))
        # Whole minutes in UTC: a time drawn on a clock-change night is still one real instant.
        moments += [(start.astimezone(UTC) + timedelta(seconds=rng.uniform(0, span))).replace(second=0, microsecond=0)
                    for _ in range(count)]
    return sorted(moments)


def _unit(rng: random.Random, weeks: int, weight: int, multiple: bool) -> str:
    """Where the baby is born: the smallest are mostly transferred in utero to a NICU (~78 % [U])."""
    extreme = weeks < 27 or (multiple and weeks < 28) or weight < 800  # kpis.md pop_place_of_birth
    if extreme and _chance(rng, 0.78):
        return _pick(rng, {code: CENTRE_BIRTHS.get(code, 3000) for code in sorted(NICU_CODES)})
    return _pick(rng, {**REFERRING_BIRTHS, **CENTRE_BIRTHS})


def _steroids(rng: random.Random, weeks: int, birth: datetime) -> dict[str, Any]:
    if not _chance(rng, 0.9 if weeks >= 23 else 0.4):  # NNAP cohort from 23+0
        return {"steroids_doses": 0, "steroids_last_dose_datetime": None}
    doses = _pick(rng, {1: 0.2, 2: 0.75, 3: 0.04, 4: 0.01})
    hours = _lognormal(rng, 30, 1.0, 0.5, 14 * 24)
    return {"steroids_doses": doses, "steroids_last_dose_datetime": birth - timedelta(minutes=round(hours * 60))}


def _magnesium(rng: random.Random, weeks: int, birth: datetime) -> datetime | None:
    roll = rng.random()
    if weeks < 30:  # the element's cohort (< 30+0)
        if roll < 0.87:
            return birth - timedelta(minutes=rng.randint(30, 23 * 60 + 30))
        if roll < 0.90:  # given, but too long before birth to count
            return birth - timedelta(minutes=rng.randint(25 * 60, 48 * 60))
        return None
    return birth - timedelta(minutes=rng.randint(30, 20 * 60)) if roll < 0.03 else None


def _antibiotics(rng: random.Random, labour: str, birth: datetime) -> datetime | None:
    given = _chance(rng, 0.8 if labour == "yes" else 0.1)
    return birth - timedelta(minutes=rng.randint(20, 12 * 60)) if given else None


def _first_temperature(rng: random.Random, birth: datetime) -> dict[str, Any]:
    minutes = _lognormal(rng, 20, 0.6, 2, 180)
    celsius = min(39.0, max(34.0, rng.gauss(36.85, 0.45)))
    return {"first_temp_c": Decimal(f"{celsius:.1f}"), "first_temp_datetime": birth + timedelta(minutes=round(minutes))}


def _breast_milk(rng: random.Random, birth: datetime) -> datetime | None:
    roll = rng.random()
    if roll < 0.80:
        return birth + timedelta(minutes=round(_lognormal(rng, 8, 0.8, 0.5, 24) * 60))
    if roll < 0.92:
        return birth + timedelta(minutes=rng.randint(24 * 60 + 1, 96 * 60))
    return None


def _blank_some(rng: random.Random, values: dict[str, Any]) -> None:
    for name in ("labour", "steroids_doses", "cord_clamping_seconds", "first_temp_c"):
        if _chance(rng, MISSING_RATE):
            values[name] = "" if name == "labour" else None


def _record(rng: random.Random, birth: datetime) -> dict[str, Any]:
    weeks = _pick(rng, WEEK_WEIGHTS)
    multiple = _chance(rng, 0.15)
    weight = round(min(6500, max(400, rng.gauss(MEDIAN_WEIGHT_G[weeks], 0.15 * MEDIAN_WEIGHT_G[weeks]))))
    labour = _pick(rng, {"yes": 0.65, "no": 0.30, "unknown": 0.03, "": 0.02})
    values: dict[str, Any] = {
        "birth_datetime": birth, "sex": _pick(rng, {"male": 0.55, "female": 0.44, "indeterminate": 0.005,
                                                    "unknown": 0.005}),
        "gestation_weeks": weeks, "gestation_days": rng.randint(0, 6), "birth_weight_g": weight,
        "multiple_birth": "yes" if multiple else "no", "birth_unit": _unit(rng, weeks, weight, multiple),
        "labour": labour, **_steroids(rng, weeks, birth),
        "magnesium_start_datetime": _magnesium(rng, weeks, birth),
        "antibiotics_start_datetime": _antibiotics(rng, labour, birth),
        "cord_clamping_seconds": rng.randint(60, 180) if _chance(rng, 0.70) else rng.randint(0, 50),
        **_first_temperature(rng, birth), "first_breast_milk_datetime": _breast_milk(rng, birth),
    }
    _blank_some(rng, values)
    if values["first_temp_c"] is None:
        values["first_temp_datetime"] = None
    return values


def generate(rng: random.Random, *, as_of: date, years: int = 3,
             network: DemoNetwork | None = None) -> list[dict[str, Any]]:
    """Every demo POP record, oldest first, as model-field values (the birth unit as an ODS code): the East of
    England's, or with `network` (issue 18) a `share` of them born at that network's units, as its HIE demo
    cases are (`DemoNetwork.place`; a POP record has no cooling centre, and none is born in another network).
    References are "{prefix}-POP-YEAR-NNNN" then, so each network's demo records are told apart."""
    if years < 1:
        raise ValueError("years must be at least 1")
    records: list[dict[str, Any]] = []
    identities = Identities(f"{network.prefix}-POP" if network else "POP")
    # Its own generator for the placing, as for the HIE cases: the same seed always gives the same records.
    placing = random.Random(f"{network.prefix}:pop:{as_of.isoformat()}") if network else None
    local = replace(network, visitor_share=0.0) if network else None
    for birth in _births(rng, as_of, years):
        values = _record(rng, birth)
        if network is not None and placing is not None and placing.random() >= network.share:
            continue
        identities.stamp(rng, values, birth.astimezone(LONDON).year)
        if local is not None and placing is not None:
            local.place(placing, values)
        records.append(values)
    return records
