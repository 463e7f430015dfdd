"""Cooled outside the usual criteria (audit measure).

kpis.md, "HIE pathway KPIs", `cooled_outside_criteria` (domain.md §4.2 H18):
cohort TH babies; `met` when gestation < 36+0, or `hie_grade` ≤ 1, or cooling start − time zero > 360 min;
`missing` when `hie_grade` is empty and the other two are not met (gestation is always known); direction
monitor (no target: it is reviewed, not ranked).

Read literally, a case without any cooling start does not meet the "> 360 min" criterion, so it is decided
by gestation and grade alone (`cooling_started_6h` already reports the missing start).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import SIX_HOURS_MIN, TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import standards

CODE = "cooled_outside_criteria"
TITLE = "Cooled outside criteria"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H18"
VERSION = 1
DIRECTION = Direction.MONITOR
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled."
MET = (
    "Cooled although born before 36+0 weeks, or with no or mild encephalopathy (grade 1 or less), or with"
    " cooling started more than 6 hours after time zero. Reviewed case by case, not ranked.")
MISSING = "The encephalopathy grade is not recorded and neither other reason applies."
CITATION = "TOBY trial criteria; Shipley, Gale and Sharkey 2021"
MEASURE_TYPE = MeasureType.AUDIT


def _started_late(facts: CaseFacts) -> bool:
    minutes = facts.minutes_from_zero(facts.cooling_start)
    return minutes is not None and minutes > SIX_HOURS_MIN


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled:
        return Outcome.NOT_ELIGIBLE
    mild_or_none = facts.hie_grade is not None and facts.hie_grade <= standards.MILD_HIE_GRADE_MAX
    if not facts.gestation_at_least(*standards.COOLING_MIN_GESTATION) or mild_or_none or _started_late(facts):
        return Outcome.MET
    if facts.hie_grade is None:
        return Outcome.MISSING
    return Outcome.NOT_MET
