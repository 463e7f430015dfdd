"""A completed two-year follow-up records every structured outcome item.

kpis.md v2, "New KPIs", `followup_2y_structured`: cohort TH babies with `followup_2y`=`completed`; `met`
when `bayley_version` is `iii` or `iv` with all three composites (cognitive, language, motor), and
`cerebral_palsy`, `vision` and `hearing` are each recorded (not `unknown` or empty); never missing;
direction higher. Reported by birth cohort (kpis.md v2 "Birth cohorts for outcomes").
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, not_recorded
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "followup_2y_structured"
TITLE = "2-year follow-up with every outcome item"
SOURCE = "kpis.md v2 New KPIs; dataset.md v2 Two-year follow-up"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
COHORT = "Cooled babies whose two-year follow-up is recorded as completed, by year of birth."
MET = ("A Bayley-III or Bayley-4 assessment with its cognitive, language and motor composites, and cerebral "
       "palsy, vision and hearing each recorded.")
MISSING = "Never: a completed follow-up without an item counts as not met."
CITATION = "BAPM 2020; UK TOBY Cooling Register"
MEASURE_TYPE = MeasureType.PROCESS

# A birth cohort is shown once its youngest baby is this old (kpis.md v2), as for `followup_2y`.
MIN_AGE_MONTHS = 30
_BAYLEY_SCORED = frozenset({c.BayleyVersion.III, c.BayleyVersion.IV})


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.followup_2y != c.FollowUp.COMPLETED:
        return Outcome.NOT_ELIGIBLE
    composites = (facts.bayley_cognitive, facts.bayley_language, facts.bayley_motor)
    bayley = facts.bayley_version in _BAYLEY_SCORED and None not in composites
    items = not any(not_recorded(answer) for answer in (facts.cerebral_palsy, facts.vision, facts.hearing))
    return Outcome.of(bayley and items)
