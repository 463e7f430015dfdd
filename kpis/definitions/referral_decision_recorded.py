"""The cooling centre's decision on every referral call is recorded.

kpis.md v2, "New KPIs", `referral_decision_recorded`: cohort every case with `referral_datetime` (cooled or
not); `met` when `referral_decision` is set; never missing (an empty decision is the failure this measures);
direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome

CODE = "referral_decision_recorded"
TITLE = "Decision on the referral call recorded"
SOURCE = "kpis.md v2 New KPIs; dataset.md v2 Referral and transport"
VERSION = 1
DIRECTION = Direction.HIGHER
# Babies not cooled have no cooling-centre attribution (kpis.aggregate.case_orgs): they count at their
# birth unit and in the network only.
LEVELS = TH_LEVELS
COHORT = "Every baby referred to the cooling centre or transport service (a referral call recorded), cooled or not."
MET = "The cooling centre's advice on the call (cool, do not cool, observe) is recorded."
MISSING = "Never: a referral without a recorded decision counts as not met."
CITATION = "BAPM 2020 (therapeutic hypothermia framework)"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if facts.referral_datetime is None:
        return Outcome.NOT_ELIGIBLE
    return Outcome.of(bool(facts.referral_decision))
