"""Referral to Maternity and Newborn Safety Investigations (MNSI).

kpis.md, "HIE pathway KPIs", `mnsi_referral` (domain.md §4.2 H15):
cohort TH babies with gestation ≥ 37+0, `labour`=`yes` and `active_cooling_start` set; `met` when
`mnsi_referred`=`yes`; `missing` when `mnsi_referred` is `unknown`/empty, or `labour` is `unknown`/empty;
direction higher.

Order of checks: a case is `not_eligible` when anything that *is* recorded excludes it (not cooled,
gestation < 37+0, no active cooling, `labour`=`no`); only then does an unrecorded `labour` make it
`missing`, because eligibility cannot be decided without it.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, not_recorded, outcome_of_answer
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c
from pathway import standards

CODE = "mnsi_referral"
TITLE = "Referred to MNSI"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H15"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies born at 37+0 weeks or later after labour, who were actively cooled."
MET = "Referred to Maternity and Newborn Safety Investigations (MNSI, formerly HSIB)."
MISSING = "The referral, or whether there was labour, is not recorded or unknown."
CITATION = "MNSI referral criteria (formerly HSIB) 2023"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    term = facts.gestation_at_least(*standards.MNSI_MIN_GESTATION)
    if not facts.is_cooled or not term or facts.active_cooling_start is None:
        return Outcome.NOT_ELIGIBLE
    if facts.labour == c.YesNoUnknown.NO:
        return Outcome.NOT_ELIGIBLE
    if not_recorded(facts.labour):
        return Outcome.MISSING
    return outcome_of_answer(facts.mnsi_referred, met=c.YesNoUnknown.YES, not_met=c.YesNoUnknown.NO)
