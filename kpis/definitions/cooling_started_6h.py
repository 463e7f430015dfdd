"""Therapeutic hypothermia started within 6 hours of time zero.

kpis.md, "HIE pathway KPIs", `cooling_started_6h` (domain.md §4.2 H1):
cohort TH babies; `met` when cooling start − time zero ≤ 360 min; `missing` when there is no cooling
start; direction higher. Cooling start = earliest of passive and active start; time zero = postnatal
collapse when set, else birth; minutes on exact instants, boundary inclusive, no rounding.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import SIX_HOURS_MIN, TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome

CODE = "cooling_started_6h"
TITLE = "Cooling started within 6 hours"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled (therapeutic hypothermia)."
MET = "Cooling (passive or active, whichever began first) started within 6 hours of time zero (360 minutes or less)."
MISSING = "No cooling start time is recorded."
CITATION = "TOBY trial protocol 2008; NICE IPG347 2010"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled:
        return Outcome.NOT_ELIGIBLE
    minutes = facts.minutes_from_zero(facts.cooling_start)
    if minutes is None:
        return Outcome.MISSING
    return Outcome.of(minutes <= SIX_HOURS_MIN)
