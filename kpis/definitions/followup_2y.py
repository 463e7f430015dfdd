"""Structured 2-year neurodevelopmental follow-up completed.

kpis.md, "HIE pathway KPIs", `followup_2y` (domain.md §4.2 H16):
cohort TH babies with `outcome`=`alive`, born ≥ 30 calendar months before the run date, except
`followup_2y`=`moved_out`; `met` when `followup_2y`=`completed`; `missing` when `unknown`/empty;
direction higher.

"Born ≥ 30 calendar months before the run date" is read as: age in completed calendar months on the run
date is at least 30, from the Europe/London date of birth. So a baby born on the 31st whose run-date month
is shorter becomes eligible on the 1st of the next month (born 2021-08-31 → eligible from 2024-03-01).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, outcome_of_answer
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c
from pathway import standards

CODE = "followup_2y"
TITLE = "2-year follow-up completed"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H16"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = (
    "Cooled babies who survived to discharge and were at least 30 months old when the figures were "
    "computed, except those who moved out of the area.")
MET = "Structured neurodevelopmental follow-up at two years completed."
MISSING = "The follow-up status is not recorded or unknown."
CITATION = "BAPM 2020; UK TOBY Cooling Register"
MEASURE_TYPE = MeasureType.PROCESS

MIN_AGE_MONTHS = standards.FOLLOW_UP_KPI_MIN_AGE_MONTHS


def completed_months(born: date, on: date) -> int:
    """Whole calendar months from `born` to `on` (a month completes on the same day-of-month)."""
    months = (on.year - born.year) * 12 + (on.month - born.month)
    return months - 1 if on.day < born.day else months


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.outcome != c.Outcome.ALIVE:
        return Outcome.NOT_ELIGIBLE
    if completed_months(facts.birth_date_london, as_of) < MIN_AGE_MONTHS:
        return Outcome.NOT_ELIGIBLE
    if facts.followup_2y == c.FollowUp.MOVED_OUT:
        return Outcome.NOT_ELIGIBLE
    return outcome_of_answer(facts.followup_2y, met=c.FollowUp.COMPLETED, not_met=c.FollowUp.NOT_DONE)
