"""All eligible interventions: the baby received every element it was eligible for.

kpis.md POP table, `pop_all_eligible`: eligible when no element is `missing`; met when every eligible element
is `met`; missing when any element is `missing`. This is PERIPrem's `all_eligible` (num == den, domain.md §5.2),
with domain.md's design choice that a missing value excludes the baby rather than counting as a failure.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC
from pop.kpis.elements import ELEMENTS
from pop.kpis.facts import PopFacts

CODE = "pop_all_eligible"
TITLE = "All eligible interventions received"
SOURCE = f"{SPEC}: pop_all_eligible; domain.md §5.2"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive before 34+0 weeks whose every element is recorded."
MET = "The baby received every intervention it was eligible for."
MISSING = "Any element the baby is eligible for is not recorded."
CITATION = "BAPM 2020; PERIPrem 2021"
MEASURE_TYPE = MeasureType.PROCESS


def combine(outcomes: list[Outcome]) -> Outcome:
    """The bundle outcome of one baby's element outcomes."""
    if Outcome.MISSING in outcomes:
        return Outcome.MISSING
    # Every baby is eligible for cord management, so "no eligible element" cannot happen with today's set;
    # should a future bundle allow it, such a baby has nothing to be measured on.
    if all(outcome == Outcome.NOT_ELIGIBLE for outcome in outcomes):
        return Outcome.NOT_ELIGIBLE
    return Outcome.of(Outcome.NOT_MET not in outcomes)


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    return combine([element.evaluate(facts, as_of) for element in ELEMENTS])
