"""Normothermia: a first temperature of 36.5–37.5 °C, taken within an hour of birth.

kpis.md POP table, `pop_normothermia`: every baby is eligible; met when the first temperature was taken
≤ 60 min after birth and 36.5 ≤ `first_temp_c` ≤ 37.5 (both inclusive); missing when `first_temp_c` or its
time is empty. domain.md §5.1 (NNAP).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC
from pop.kpis.facts import PopFacts

CODE = "pop_normothermia"
TITLE = "Normothermia (36.5–37.5 °C within an hour of birth)"
SOURCE = f"{SPEC}: pop_normothermia; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive before 34+0 weeks."
MET = "The first temperature, taken within an hour of birth, was 36.5–37.5 °C."
MISSING = "The first temperature or its time is not recorded."
CITATION = "NNAP 2023; BAPM 2020"
MEASURE_TYPE = MeasureType.PROCESS

LOW_C = Decimal("36.5")
HIGH_C = Decimal("37.5")
WITHIN_MIN = 60


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if facts.first_temp_c is None or facts.first_temp_at is None:
        return Outcome.MISSING
    in_time = facts.minutes_after_birth(facts.first_temp_at) <= WITHIN_MIN
    return Outcome.of(in_time and LOW_C <= facts.first_temp_c <= HIGH_C)
