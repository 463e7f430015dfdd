"""Age at cooling start, in minutes from time zero (median measure).

kpis.md, "HIE pathway KPIs", median measures, `age_at_cooling_start_min` (domain.md §4.2 H4):
cohort TH babies; value = cooling start (earliest of passive and active) − time zero in exact minutes;
a case without a cooling start is counted as missing (value None). Shorter is better.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import NOT_ELIGIBLE, Direction, MeasureValue

CODE = "age_at_cooling_start_min"
TITLE = "Age at cooling start (minutes)"
SOURCE = "kpis.md HIE pathway KPIs (median measures); domain.md §4.2 H4"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled."
MEASURE = "Minutes from time zero to the start of cooling (passive or active, whichever began first)."
MISSING = "No cooling start time is recorded."
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation)"
MEASURE_TYPE = MeasureType.PROCESS


def value(facts: CaseFacts, as_of: date) -> MeasureValue:
    if not facts.is_cooled:
        return NOT_ELIGIBLE
    return facts.minutes_from_zero(facts.cooling_start)
