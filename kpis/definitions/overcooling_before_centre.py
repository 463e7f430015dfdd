"""Overcooling (core temperature below 33.0 °C) before arrival at the cooling centre.

kpis.md, "HIE pathway KPIs", `overcooling_before_centre` (domain.md §4.2 H7):
cohort outborn TH babies; `met` when `lowest_temp_before_arrival_c` < 33.0; `missing` when it is empty;
direction lower — here `met` is the adverse event, so a lower rate is better.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TRANSPORT_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import standards

CODE = "overcooling_before_centre"
TITLE = "Overcooled (below 33.0 °C) before arrival at the cooling centre"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H7"
VERSION = 1
DIRECTION = Direction.LOWER
# kpis.md v2 adds the transport level; the figures at the other levels are unchanged (same version).
LEVELS = TRANSPORT_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MET = "The lowest temperature before arrival at the cooling centre was below 33.0 °C (overcooled). Lower is better."
MISSING = "No temperature before arrival is recorded."
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation); Mistry et al. 2022"
MEASURE_TYPE = MeasureType.PROCESS

OVERCOOLED_BELOW_C = standards.OVERCOOLED_BELOW_C


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not (facts.is_cooled and facts.is_outborn):
        return Outcome.NOT_ELIGIBLE
    lowest = facts.lowest_temp_before_arrival_c
    if lowest is None:
        return Outcome.MISSING
    return Outcome.of(lowest < OVERCOOLED_BELOW_C)
