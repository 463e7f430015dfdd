"""Place of birth: the smallest, most preterm babies are born where there is a NICU.

kpis.md POP table, `pop_place_of_birth`: eligible when gestation < 27+0, or < 28+0 when `multiple_birth`=`yes`,
or `birth_weight_g` < 800; met when the birth unit is a NICU; never missing (every field is required).
domain.md §5.1 (BAPM Antenatal Optimisation Toolkit, PERIPrem).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC, gestation
from pop.kpis.facts import PopFacts

CODE = "pop_place_of_birth"
TITLE = "Born in a hospital with a neonatal intensive care unit"
SOURCE = f"{SPEC}: pop_place_of_birth; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = ("Babies born alive before 27+0 weeks, before 28+0 weeks if one of twins or more, or weighing "
          "under 800 g.")
MET = "Born in a hospital whose maternity unit is on the same site as a neonatal intensive care unit."
MISSING = "Never: the birth unit is always recorded."
CITATION = "BAPM 2020 (Perinatal Optimisation Pathway); NNAP 2023"
MEASURE_TYPE = MeasureType.PROCESS

SINGLETON_BELOW = gestation(27)
MULTIPLE_BELOW = gestation(28)
WEIGHT_BELOW_G = 800


def eligible(facts: PopFacts) -> bool:
    below = MULTIPLE_BELOW if facts.multiple_birth else SINGLETON_BELOW
    return facts.gestation_total_days < below or facts.birth_weight_g < WEIGHT_BELOW_G


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if not eligible(facts):
        return Outcome.NOT_ELIGIBLE
    return Outcome.of(facts.birth_unit_is_nicu)
