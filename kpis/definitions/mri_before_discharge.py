"""Brain MRI done before discharge.

kpis.md, "HIE pathway KPIs", `mri_before_discharge` (domain.md §4.2 H12):
cohort TH babies with `outcome`=`alive` and a `discharge_datetime`; `met` when `mri_performed`=`yes` and
`mri_datetime` ≤ `discharge_datetime`; `missing` when `mri_performed` is `unknown` or empty; direction higher.
`mri_performed`=`yes` without `mri_datetime` (the dataset rejects it, but facts may still lack it) is
`missing` too: the data needed to decide is not recorded (kpis.md "Conventions").
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, not_recorded
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "mri_before_discharge"
TITLE = "MRI before discharge"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H12"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies discharged home or to another unit alive."
MET = "Brain MRI done before discharge."
MISSING = "Whether an MRI was done is not recorded, or its time is missing."
CITATION = "BAPM 2020"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    discharge = facts.discharge_datetime
    if not facts.is_cooled or facts.outcome != c.Outcome.ALIVE or discharge is None:
        return Outcome.NOT_ELIGIBLE
    if not_recorded(facts.mri_performed):
        return Outcome.MISSING
    if facts.mri_performed == c.YesNoUnknown.NO:
        return Outcome.NOT_MET
    if facts.mri_datetime is None:
        return Outcome.MISSING
    return Outcome.of(facts.mri_datetime <= discharge)  # UTC instants (CaseFacts)
