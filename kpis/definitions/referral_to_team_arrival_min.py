"""Referral to the transport team at the bedside, in minutes (median measure).

kpis.md v2, median measures, `referral_to_team_arrival_min`: outborn TH babies; value =
`transport_team_arrived_datetime` − `referral_datetime` in exact minutes (on instants, so a clock change
never shifts it); missing when either time is empty. Shorter is better. Also at the transport level.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TRANSPORT_LEVELS, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import NOT_ELIGIBLE, Direction, MeasureValue

CODE = "referral_to_team_arrival_min"
TITLE = "Referral to transport team at the bedside (minutes)"
SOURCE = "kpis.md v2 median measures; dataset.md v2 Referral and transport"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TRANSPORT_LEVELS
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MEASURE = "Minutes from the referral call to the transport team arriving at the baby's bedside."
MISSING = "The referral time or the team's arrival time is not recorded."
CITATION = "BAPM 2020 (network and transport)"
MEASURE_TYPE = MeasureType.PROCESS


def value(facts: CaseFacts, as_of: date) -> MeasureValue:
    if not (facts.is_cooled and facts.is_outborn):
        return NOT_ELIGIBLE
    if facts.referral_datetime is None or facts.transport_team_arrived_datetime is None:
        return None
    return minutes_between(facts.referral_datetime, facts.transport_team_arrived_datetime)
