"""Optimisation score: Σ met ÷ Σ (met + not_met) over every element of every baby, per unit and period.

kpis.md POP ("Also report the optimisation score per unit and period"); PERIPrem's `Σ num / Σ den`
(domain.md §5.2, target line 1.0). Unlike the other POP KPIs it counts baby-element pairs, not babies, so it
is not a per-baby `evaluate`: `tally` gives one baby's counts, and the stored figure's numerator, denominator,
not_eligible and missing are those counts summed (each the number of baby-element pairs).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC
from pop.kpis.elements import ELEMENTS
from pop.kpis.facts import PopFacts

CODE = "pop_optimisation_score"
TITLE = "Optimisation score (elements received ÷ elements eligible)"
SOURCE = f"{SPEC}: optimisation score; domain.md §5.2"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Every element each baby born before 34+0 weeks was eligible for."
MET = "Elements received, as a share of all elements babies were eligible for (missing ones left out)."
MISSING = "An element whose data are not recorded is left out of both counts."
CITATION = "PERIPrem 2021"
MEASURE_TYPE = MeasureType.PROCESS


def tally(facts: PopFacts, as_of: date) -> Counter[Outcome]:
    """How many of this baby's elements were met, not met, not eligible and missing."""
    return Counter(element.evaluate(facts, as_of) for element in ELEMENTS)
