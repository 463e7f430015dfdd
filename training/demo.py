"""Synthetic training data for the demo: every unit's establishment (with one revision a year ago) and about
three years of sessions, written through training.services so each is validated and audited like real data.

The same seed and as-of date give the same data. A few units are left without an establishment, and a few
stopped training over a year ago, so the coverage page shows every state (no establishment, red, due).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from pathway.demo import LONDON_REGION, DemoNetwork
from training import services
from training.models import KeyMessage, StaffRole, TrainingFormat
from units.access import UserLike
from units.models import Designation, Unit, UnitQuerySet

# The demo networks other than the East of England (`seed_demo --network`).
OTHER_NETWORKS: tuple[DemoNetwork, ...] = (LONDON_REGION,)

TRAINERS = ["Neonatal outreach nurse", "Cooling-centre consultant", "ANNP educator", "Transport team",
            "Practice development midwife"]
# Headcount by role for a unit of each designation (a notional mid-sized unit [U]).
STAFF: dict[str, dict[str, int]] = {
    Designation.NICU: {"nurse": 120, "midwife": 40, "doctor": 35, "annp": 12, "other": 10},
    Designation.LNU: {"nurse": 60, "midwife": 45, "doctor": 20, "annp": 5, "other": 6},
    Designation.SCU: {"nurse": 30, "midwife": 40, "doctor": 12, "annp": 2, "other": 4},
    Designation.TRANSPORT: {"nurse": 25, "doctor": 10, "annp": 6, "other": 8},
}


def _establishment(rng: random.Random, unit: Unit) -> dict[str, int]:
    return {role: max(1, round(n * rng.uniform(0.8, 1.2))) for role, n in STAFF[unit.designation].items()}


def _session_values(rng: random.Random, day: date, staff: dict[str, int],
                    messages: list[KeyMessage]) -> services.SessionValues:
    headcounts = {role: rng.randint(0, max(1, n // 2)) for role, n in staff.items()}
    if not any(headcounts.values()):
        headcounts[StaffRole.NURSE.value] = 4
    return services.SessionValues(
        date=day, trainer=rng.choice(TRAINERS), format=rng.choice(TrainingFormat.values), headcounts=headcounts,
        key_messages=rng.sample(messages, k=min(len(messages), rng.randint(2, 5))))


def demo_units(network: DemoNetwork | None) -> UnitQuerySet:
    """The active units a demo seeds: those of the networks a demo network's units belong to (issue 18), or
    without one every other unit (the East of England's, as before)."""
    units = Unit.objects.active()
    if network is None:
        for other in OTHER_NETWORKS:
            units = units.exclude(network_id__in=_network_ids(other))
        return units
    return units.filter(network_id__in=_network_ids(network))


def _network_ids(network: DemoNetwork) -> set[int]:
    codes = {code for group in (network.centres, network.referring) for codes in group.values() for code in codes}
    return set(Unit.objects.filter(ods_code__in=codes).values_list("network_id", flat=True))


def seed(*, seed: int, as_of: date, by: UserLike, years: int = 3, units: UnitQuerySet | None = None) -> int:
    """Write the demo training data of the units (default: `demo_units(None)`); returns the number of sessions
    recorded."""
    rng = random.Random(seed)
    messages_of: dict[int | None, list[KeyMessage]] = {}
    for message in KeyMessage.objects.active():  # a session covers its unit's network's list
        messages_of.setdefault(message.network_id, []).append(message)
    seeded = list((units if units is not None else demo_units(None)).order_by("ods_code"))
    start = as_of - timedelta(days=365 * years)
    sessions = 0
    for index, unit in enumerate(seeded):
        staff = _establishment(rng, unit)
        if index % 7 != 3:  # about one unit in seven has not recorded its establishment yet
            services.establishment_record(unit=unit, effective_from=start, headcounts=staff, by=by)
            revised = {role: max(1, n + rng.randint(-3, 4)) for role, n in staff.items()}
            services.establishment_record(unit=unit, effective_from=as_of - timedelta(days=365), headcounts=revised,
                                          by=by)
        # Some units train every couple of months, some rarely; one in five stopped over a year ago.
        gap = rng.choice([45, 60, 90, 150])
        stop = as_of - timedelta(days=400) if index % 5 == 2 else as_of
        day = start + timedelta(days=rng.randint(0, gap))
        messages = messages_of.get(unit.network_id, [])
        while day <= stop:
            services.session_record(unit=unit, values=_session_values(rng, day, staff, messages), by=by)
            sessions += 1
            day += timedelta(days=round(gap * rng.uniform(0.6, 1.4)))
    return sessions
