"""First brain MRI on days 5–14 of life.

kpis.md, "HIE pathway KPIs", `mri_day5_14` (domain.md §4.2 H12, window sub-measure):
cohort TH babies with `mri_performed`=`yes`; `met` when 120 h ≤ `mri_datetime` − `birth_datetime` < 360 h
(from birth, not time zero; lower end inclusive, upper end exclusive, exact instants); `missing` when
`mri_datetime` is empty; direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import Direction, Outcome
from pathway import choices as c
from pathway import standards

CODE = "mri_day5_14"
TITLE = "MRI on days 5–14"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H12"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies who had a brain MRI."
MET = "MRI done from day 5 up to the end of day 14 of life (120 to under 360 hours after birth)."
MISSING = "The MRI time is not recorded."
CITATION = "BAPM 2020"
MEASURE_TYPE = MeasureType.PROCESS

WINDOW_START_MIN = standards.MRI_FROM_MIN  # start of day 5
WINDOW_END_MIN = standards.MRI_UNTIL_MIN  # end of day 14, excluded


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.mri_performed != c.YesNoUnknown.YES:
        return Outcome.NOT_ELIGIBLE
    if facts.mri_datetime is None:
        return Outcome.MISSING
    age = minutes_between(facts.birth_datetime, facts.mri_datetime)
    return Outcome.of(WINDOW_START_MIN <= age < WINDOW_END_MIN)
