"""Servo-controlled (active) cooling during transport.

kpis.md, "HIE pathway KPIs", `servo_cooling_in_transport` (domain.md §4.2 H9):
cohort outborn TH babies; `met` when `transport_cooling`=`servo`; `missing` when it is empty;
direction higher. `passive` and `none` are `not_met`.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TRANSPORT_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "servo_cooling_in_transport"
TITLE = "Servo-controlled cooling in transport"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H9"
VERSION = 1
DIRECTION = Direction.HIGHER
# kpis.md v2 adds the transport level; the figures at the other levels are unchanged (same version).
LEVELS = TRANSPORT_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MET = "Cooled with a servo-controlled device during transport."
MISSING = "The cooling method in transport is not recorded."
CITATION = "Mistry et al. 2025 (Pediatr Res)"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not (facts.is_cooled and facts.is_outborn):
        return Outcome.NOT_ELIGIBLE
    if not facts.transport_cooling:
        return Outcome.MISSING
    return Outcome.of(facts.transport_cooling == c.TransportCooling.SERVO)
