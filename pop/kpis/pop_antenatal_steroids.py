"""Antenatal steroids: at least one dose of antenatal corticosteroid before birth.

kpis.md POP table, `pop_antenatal_steroids`: eligible at gestation 23+0 to 33+6; met when `steroids_doses` ≥ 1;
missing when `steroids_doses` is empty. domain.md §5.1 (NNAP 23+0–33+6; NICE QS135 statement 5).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC, gestation
from pop.kpis.facts import PopFacts

CODE = "pop_antenatal_steroids"
TITLE = "Antenatal steroids (at least one dose)"
SOURCE = f"{SPEC}: pop_antenatal_steroids; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive at 23+0 to 33+6 weeks."
MET = "The mother had at least one dose of antenatal corticosteroid before the birth."
MISSING = "The number of steroid doses is not recorded."
CITATION = "NICE NG25 2015 (QS135); NNAP 2023"
MEASURE_TYPE = MeasureType.PROCESS

FROM = gestation(23, 0)
TO = gestation(33, 6)


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if not FROM <= facts.gestation_total_days <= TO:
        return Outcome.NOT_ELIGIBLE
    if facts.steroids_doses is None:
        return Outcome.MISSING
    return Outcome.of(facts.steroids_doses >= 1)
