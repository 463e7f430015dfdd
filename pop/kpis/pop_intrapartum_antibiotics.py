"""Intrapartum antibiotics for babies born after labour.

kpis.md POP table, `pop_intrapartum_antibiotics`: eligible when `labour`=`yes`; met when
`antibiotics_start_datetime` is set (before birth); missing when `labour` is `unknown` or empty.
domain.md §5.1 (BAPM toolkit, PERIPrem: "active labour at any point").
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType, not_recorded
from kpis.outcome import Direction, Outcome
from pathway import choices as c
from pop.kpis.base import POP_LEVELS, SPEC
from pop.kpis.facts import PopFacts

CODE = "pop_intrapartum_antibiotics"
TITLE = "Intrapartum antibiotics in labour"
SOURCE = f"{SPEC}: pop_intrapartum_antibiotics; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive before 34+0 weeks after labour."
MET = "The mother had intrapartum antibiotics before the birth."
MISSING = "Whether there was labour is not recorded."
CITATION = "NICE NG195 2021 (early-onset neonatal infection)"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if not_recorded(facts.labour):
        return Outcome.MISSING
    if facts.labour != c.YesNoUnknown.YES:
        return Outcome.NOT_ELIGIBLE
    started = facts.antibiotics_start
    # The dataset refuses a start after birth; a start at birth still counts as "before birth".
    return Outcome.of(started is not None and facts.minutes_after_birth(started) <= 0)
