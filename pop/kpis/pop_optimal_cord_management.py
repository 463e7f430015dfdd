"""Optimal (deferred) cord management: cord clamped at or after 60 seconds.

kpis.md POP table, `pop_optimal_cord_management`: every baby is eligible; met when
`cord_clamping_seconds` ≥ 60; missing when it is empty. domain.md §5.1 (NNAP).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC
from pop.kpis.facts import PopFacts

CODE = "pop_optimal_cord_management"
TITLE = "Deferred cord clamping (60 seconds or more)"
SOURCE = f"{SPEC}: pop_optimal_cord_management; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive before 34+0 weeks."
MET = "The cord was clamped 60 seconds or more after the birth."
MISSING = "The time to cord clamping is not recorded."
CITATION = "BAPM 2020; NNAP 2023"
MEASURE_TYPE = MeasureType.PROCESS

DEFERRED_SECONDS = 60


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if facts.cord_clamping_seconds is None:
        return Outcome.MISSING
    return Outcome.of(facts.cord_clamping_seconds >= DEFERRED_SECONDS)
