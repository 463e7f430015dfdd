"""Core temperature on arrival at the cooling centre within the therapeutic range 33.0–34.0 °C.

kpis.md, "HIE pathway KPIs", `arrival_temp_in_range` (domain.md §4.2 H8):
cohort outborn TH babies; `met` when 33.0 ≤ `arrival_temp_c` ≤ 34.0 (both ends inclusive); `missing`
when it is empty; direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TRANSPORT_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import standards

CODE = "arrival_temp_in_range"
TITLE = "Arrival temperature in range (33.0–34.0 °C)"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H8"
VERSION = 1
DIRECTION = Direction.HIGHER
# kpis.md v2 adds the transport level; the figures at the other levels are unchanged (same version).
LEVELS = TRANSPORT_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MET = "Temperature on arrival at the cooling centre between 33.0 and 34.0 °C (both included)."
MISSING = "No arrival temperature is recorded."
CITATION = "Mistry et al. 2022 (Arch Dis Child Fetal Neonatal Ed)"
MEASURE_TYPE = MeasureType.PROCESS

RANGE_LOW_C = standards.TARGET_LOW_C
RANGE_HIGH_C = standards.TARGET_HIGH_C


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not (facts.is_cooled and facts.is_outborn):
        return Outcome.NOT_ELIGIBLE
    arrival = facts.arrival_temp_c
    if arrival is None:
        return Outcome.MISSING
    return Outcome.of(RANGE_LOW_C <= arrival <= RANGE_HIGH_C)
