"""Continuous core temperature monitoring started at the birth hospital, before transfer.

kpis.md, "HIE pathway KPIs", `core_monitoring_before_transfer` (domain.md §4.2 H6):
cohort outborn TH babies; `met` when `core_monitoring_start` ≤ `depart_referring_datetime` (same instant
counts); `missing` when either is empty; direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome

CODE = "core_monitoring_before_transfer"
TITLE = "Core temperature monitoring started before transfer"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H6"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MET = "Continuous core (rectal) temperature monitoring started at or before departure from the birth hospital."
MISSING = "The monitoring start time or the departure time is not recorded."
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation)"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not (facts.is_cooled and facts.is_outborn):
        return Outcome.NOT_ELIGIBLE
    start, departure = facts.core_monitoring_start, facts.depart_referring_datetime
    if start is None or departure is None:
        return Outcome.MISSING
    return Outcome.of(start <= departure)  # CaseFacts holds UTC, so this compares instants
