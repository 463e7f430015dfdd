"""Family information booklet given.

kpis.md, "HIE pathway KPIs", `family_booklet_given` (no domain.md §4.2 counterpart; kpis.md is the source):
cohort TH babies; `met` when `family_booklet_given`=`yes`; `missing` when `unknown`/empty; direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, outcome_of_answer
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "family_booklet_given"
TITLE = "Family booklet given"
SOURCE = "kpis.md HIE pathway KPIs"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled."
MET = "Family information booklet given."
MISSING = "Not recorded, or recorded as unknown."
CITATION = "BAPM 2020"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled:
        return Outcome.NOT_ELIGIBLE
    return outcome_of_answer(facts.family_booklet_given, met=c.YesNoUnknown.YES, not_met=c.YesNoUnknown.NO)
