"""Placenta sent for histology.

kpis.md, "HIE pathway KPIs", `placenta_sent` (domain.md §4.2 H14):
cohort TH babies, except `placenta_sent`=`not_available`; `met` when `placenta_sent`=`yes`; `missing`
when `unknown` or empty; direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, outcome_of_answer
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "placenta_sent"
TITLE = "Placenta sent for histology"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H14"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies, except where the placenta was not available."
MET = "Placenta sent for histology."
MISSING = "Not recorded, or recorded as unknown."
CITATION = "BAPM 2020"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.placenta_sent == c.PlacentaSent.NOT_AVAILABLE:
        return Outcome.NOT_ELIGIBLE
    return outcome_of_answer(facts.placenta_sent, met=c.PlacentaSent.YES, not_met=c.PlacentaSent.NO)
