"""The first brain MRI has a structured report: an injury pattern and a recognised scoring system.

kpis.md v2, "New KPIs", `mri_structured_report`: cohort TH babies with `mri_performed`=`yes`; `met` when
`mri_injury_pattern` is set and `mri_score_system` is set to a system other than `none`; `missing` when both
are empty; otherwise `not_met` (one of the two recorded, or scored with no system); direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "mri_structured_report"
TITLE = "MRI reported in a structured way (pattern and score)"
SOURCE = "kpis.md v2 New KPIs; dataset.md v2 MRI"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
COHORT = "Cooled babies who had a brain MRI."
MET = ("The first scan's predominant injury pattern is recorded, and it was scored with a named system "
       "(Barkovich, NICHD NRN, Weeke or another).")
MISSING = "Neither the injury pattern nor the scoring system is recorded."
CITATION = "East of England \"Imaging the encephalopathic infant\" 2022"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.mri_performed != c.YesNoUnknown.YES:
        return Outcome.NOT_ELIGIBLE
    if not facts.mri_injury_pattern and not facts.mri_score_system:
        return Outcome.MISSING
    scored = facts.mri_score_system not in ("", c.MriScoreSystem.NONE)
    return Outcome.of(bool(facts.mri_injury_pattern) and scored)
