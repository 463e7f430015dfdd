"""Death or moderate/severe disability at two years: the TOBY primary outcome, per birth cohort.

kpis.md v2, "New KPIs", `death_or_disability_2y`: cohort TH babies born ≥ 30 calendar months before the
run date, except `followup_2y`=`moved_out`; `met` when `outcome`=`died`, or `followup_2y`=`completed` with
moderate or severe disability (`pathway.disability`); `missing` when not died and the follow-up is not
completed, or completed but unclassifiable; otherwise (completed, none or mild) `not_met`. Lower is better;
an outcome measure, shown with its cohort size.

Ages as for `followup_2y` (completed calendar months from the Europe/London date of birth).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.definitions.followup_2y import completed_months
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c
from pathway.disability import Disability, classify

CODE = "death_or_disability_2y"
TITLE = "Death or moderate/severe disability at 2 years"
SOURCE = "kpis.md v2 New KPIs, Disability at two years; domain.md §2.1 (TOBY)"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TH_LEVELS
COHORT = ("Cooled babies at least 30 months old when the figures were computed, by year of birth, except "
          "those who moved out of the area.")
MET = ("Died, or at the two-year assessment had a moderate or severe disability (TOBY: Bayley cognitive "
       "below 85, GMFCS 2 to 5, no useful vision, aided or profound hearing loss, or epilepsy).")
MISSING = ("Alive and the two-year follow-up not completed, or completed without the items needed to "
           "classify disability.")
CITATION = "Azzopardi et al. 2009 (TOBY, N Engl J Med)"
MEASURE_TYPE = MeasureType.OUTCOME

MIN_AGE_MONTHS = 30


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or completed_months(facts.birth_date_london, as_of) < MIN_AGE_MONTHS:
        return Outcome.NOT_ELIGIBLE
    if facts.followup_2y == c.FollowUp.MOVED_OUT:
        return Outcome.NOT_ELIGIBLE
    if facts.outcome == c.Outcome.DIED:
        return Outcome.MET
    classification = classify(facts)  # None unless the follow-up is completed
    if classification is None or classification.level is Disability.UNCLASSIFIABLE:
        return Outcome.MISSING
    return Outcome.of(classification.moderate_or_severe)
