"""What the transport team's median measures share (kpis.md v2, median measures): each times one stretch of a
transfer, from one recorded instant to the next, for outborn TH babies.

The cohort, the rule and the words around them are the same for every such measure: cooled babies born outside
the cooling centre (an inborn baby has no transfer: not eligible); the value is the exact minutes between the two
instants (on instants, so a clock change never shifts it); missing when either time is empty; shorter is better;
also computed at the transport level (the service that moved the baby). A definition module
(`referral_to_team_arrival_min`, `team_arrival_to_departure_min`) names its code, its words and its two instants,
and takes the rest from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from kpis.definitions.base import TRANSPORT_LEVELS, Level, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import NOT_ELIGIBLE, Direction, MeasureValue

Instant = Callable[[CaseFacts], datetime | None]


class TransportMedian:
    """One transport median, parameterised by the two instants it times (`start` → `end`)."""

    SOURCE: Final[str] = "kpis.md v2 median measures; dataset.md v2 Referral and transport"
    DIRECTION: Final[Direction] = Direction.LOWER
    LEVELS: Final[tuple[Level, ...]] = TRANSPORT_LEVELS
    COHORT: Final[str] = "Cooled babies born outside the cooling centre (outborn)."
    CITATION: Final[str] = "BAPM 2020 (network and transport)"
    MEASURE_TYPE: Final[MeasureType] = MeasureType.PROCESS

    def __init__(self, *, start: Instant, end: Instant) -> None:
        self.start = start
        self.end = end

    def value(self, facts: CaseFacts, as_of: date) -> MeasureValue:
        if not (facts.is_cooled and facts.is_outborn):
            return NOT_ELIGIBLE
        start, end = self.start(facts), self.end(facts)
        if start is None or end is None:
            return None
        return minutes_between(start, end)
