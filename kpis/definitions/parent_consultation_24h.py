"""Senior consultation with parents within 24 hours of admission.

kpis.md, "HIE pathway KPIs", `parent_consultation_24h` (domain.md §4.2 H13):
cohort TH babies; `met` when `parent_consultation_datetime` − admission ≤ 24 h, where admission =
`arrive_centre_datetime` for outborn babies and `birth_datetime` for inborn ones; `missing` when the
consultation time is empty, or an outborn baby has no arrival time; direction higher.
"""

from __future__ import annotations

from datetime import date, datetime

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import Direction, Outcome
from pathway import standards

CODE = "parent_consultation_24h"
TITLE = "Parents consulted within 24 hours of admission"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H13"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled."
MET = (
    "A senior consultation with the parents within 24 hours of admission (arrival at the cooling centre "
    "for babies born elsewhere, birth for babies born there).")
MISSING = "The consultation time is not recorded, or an outborn baby's arrival time is not recorded."
CITATION = "NNAP 2021"
MEASURE_TYPE = MeasureType.PROCESS

WITHIN_MIN = standards.PARENT_CONSULTATION_MIN


def admission(facts: CaseFacts) -> datetime | None:
    """Admission to the cooling centre: arrival for outborn babies, birth for inborn ones (kpis.md)."""
    return facts.arrive_centre_datetime if facts.is_outborn else facts.birth_datetime


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled:
        return Outcome.NOT_ELIGIBLE
    admitted, consulted = admission(facts), facts.parent_consultation_datetime
    if admitted is None or consulted is None:
        return Outcome.MISSING
    return Outcome.of(minutes_between(admitted, consulted) <= WITHIN_MIN)
