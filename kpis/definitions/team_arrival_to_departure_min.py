"""Transport team's time at the referring unit, from arrival at the bedside to departure, in minutes.

kpis.md v2, median measures, `team_arrival_to_departure_min`: outborn TH babies; value =
`depart_referring_datetime` − `transport_team_arrived_datetime` in exact minutes (on instants); missing when
either time is empty. Shorter is better. Also at the transport level.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TRANSPORT_LEVELS, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import NOT_ELIGIBLE, Direction, MeasureValue

CODE = "team_arrival_to_departure_min"
TITLE = "Transport team arrival to departure (minutes)"
SOURCE = "kpis.md v2 median measures; dataset.md v2 Referral and transport"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TRANSPORT_LEVELS
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MEASURE = "Minutes from the transport team reaching the baby's bedside to leaving the referring unit."
MISSING = "The team's arrival time or the departure time is not recorded."
CITATION = "BAPM 2020 (network and transport)"
MEASURE_TYPE = MeasureType.PROCESS


def value(facts: CaseFacts, as_of: date) -> MeasureValue:
    if not (facts.is_cooled and facts.is_outborn):
        return NOT_ELIGIBLE
    if facts.transport_team_arrived_datetime is None or facts.depart_referring_datetime is None:
        return None
    return minutes_between(facts.transport_team_arrived_datetime, facts.depart_referring_datetime)
