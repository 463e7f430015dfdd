"""Early maternal breast milk: first maternal milk within 24 hours of birth.

kpis.md POP table, `pop_early_breast_milk`: every baby is eligible; met when
`first_breast_milk_datetime` − birth ≤ 24 h (exact instants); never missing (empty = not given).
domain.md §5.1 (PERIPrem ≤ 6 h, Scotland ≤ 24 h; kpis.md sets 24 h).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC
from pop.kpis.facts import PopFacts

CODE = "pop_early_breast_milk"
TITLE = "Maternal breast milk within 24 hours"
SOURCE = f"{SPEC}: pop_early_breast_milk; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive before 34+0 weeks."
MET = "The baby had its mother’s breast milk within 24 hours of birth."
MISSING = "Never: no time recorded counts as not given."
CITATION = "BAPM 2020 (Perinatal Optimisation Pathway)"
MEASURE_TYPE = MeasureType.PROCESS

WITHIN_MIN = 24 * 60


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if facts.first_breast_milk_at is None:
        return Outcome.NOT_MET
    return Outcome.of(facts.minutes_after_birth(facts.first_breast_milk_at) <= WITHIN_MIN)
