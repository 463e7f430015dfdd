"""Age at referral, in minutes from time zero (median measure).

kpis.md, "HIE pathway KPIs", median measures, `age_at_referral_min` (domain.md §4.2 H3):
cohort outborn TH babies ("outborn only for referral"); value = `referral_datetime` − time zero in exact
minutes; a case without a referral time is counted as missing (value None). Shorter is better.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import NOT_ELIGIBLE, Direction, MeasureValue

CODE = "age_at_referral_min"
TITLE = "Age at referral (minutes)"
SOURCE = "kpis.md HIE pathway KPIs (median measures); domain.md §4.2 H3"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies born outside the cooling centre (outborn)."
MEASURE = "Minutes from time zero to the referral call."
MISSING = "No referral time is recorded."
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation)"
MEASURE_TYPE = MeasureType.PROCESS


def value(facts: CaseFacts, as_of: date) -> MeasureValue:
    if not (facts.is_cooled and facts.is_outborn):
        return NOT_ELIGIBLE
    return facts.minutes_from_zero(facts.referral_datetime)
