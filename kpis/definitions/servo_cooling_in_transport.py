"""Servo-controlled (active) cooling during transport.

kpis.md, "HIE pathway KPIs", `servo_cooling_in_transport` (domain.md §4.2 H9):
cohort outborn TH babies; `met` when `transport_cooling`=`servo`; `missing` when it is empty;
direction higher. `passive` and `none` are `not_met`.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "servo_cooling_in_transport"
TITLE = "Servo-controlled cooling in transport"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H9"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not (facts.is_cooled and facts.is_outborn):
        return Outcome.NOT_ELIGIBLE
    if not facts.transport_cooling:
        return Outcome.MISSING
    return Outcome.of(facts.transport_cooling == c.TransportCooling.SERVO)
