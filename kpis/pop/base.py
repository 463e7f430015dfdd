"""What a POP definition module provides, and the rules every POP definition shares (kpis.md "POP KPIs").

A definition is a module `kpis/pop/<code>.py` with CODE, TITLE, SOURCE, VERSION, DIRECTION and LEVELS and a
pure `evaluate(facts, as_of) -> Outcome` over `PopFacts` (no database). `as_of` is unused by today's
definitions but taken by all, so the engine calls them the same way as the HIE definitions.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Protocol, runtime_checkable

from kpis.definitions.base import Level
from kpis.outcome import Direction, Outcome
from kpis.pop.facts import PopFacts

# kpis.md: "attributed to birth_unit_ods (levels birth_unit, network)".
POP_LEVELS: tuple[Level, ...] = (Level.BIRTH_UNIT, Level.NETWORK)
SPEC: Final = "kpis.md \"POP (preterm optimisation) KPIs\""
DAYS_PER_WEEK: Final = 7


@runtime_checkable
class PopKpi(Protocol):
    CODE: str
    TITLE: str
    SOURCE: str
    VERSION: int
    DIRECTION: Direction
    LEVELS: tuple[Level, ...]

    def evaluate(self, facts: PopFacts, as_of: date) -> Outcome: ...


def gestation(weeks: int, days: int = 0) -> int:
    """Completed gestation in days, so "23+0 to 29+6" compares as one number."""
    return weeks * DAYS_PER_WEEK + days
