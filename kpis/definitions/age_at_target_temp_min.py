"""Age at target temperature, in minutes from time zero (median measure).

kpis.md, "HIE pathway KPIs", median measures, `age_at_target_temp_min` (domain.md §4.2 H5):
cohort TH babies; value = `target_temp_reached` − time zero in exact minutes; a case without the time is
counted as missing (value None) — kpis.md says so for every median, although domain.md H5 limits the
cohort to babies reaching target; "this page wins". Shorter is better.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import NOT_ELIGIBLE, Direction, MeasureValue

CODE = "age_at_target_temp_min"
TITLE = "Age at target temperature (minutes)"
SOURCE = "kpis.md HIE pathway KPIs (median measures); domain.md §4.2 H5"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled."
MEASURE = "Minutes from time zero to reaching the target temperature (33–34 °C)."
MISSING = "No time is recorded for reaching the target temperature."
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation)"
MEASURE_TYPE = MeasureType.PROCESS


def value(facts: CaseFacts, as_of: date) -> MeasureValue:
    if not facts.is_cooled:
        return NOT_ELIGIBLE
    return facts.minutes_from_zero(facts.target_temp_reached)
