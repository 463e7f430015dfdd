"""Incidence of moderate or severe HIE per 1,000 live births, per birth unit and calendar year.

kpis.md v2, "New KPIs", `hie_incidence_per_1000`: levels `birth_unit` and `network`, period type year only;
all babies, cooled or not. Numerator = babies born in the unit-year with `hie_grade` ≥ 2; denominator = the
unit-year's `live_births` (`units.LiveBirths`); network: both summed over the units that have a figure.
A unit-year without a live-births figure has numerator and denominator 0 and counts its babies with
`hie_grade` ≥ 2 as missing. Rate = numerator ÷ denominator, shown per 1,000. Direction monitor.

Per case this module only says who is in the numerator (`met`; everyone else `not_eligible`); the division
by live births is the engine's (`kpis.incidence`).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import ROLLUP_LEVELS, Level, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from kpis.periods import PeriodType

CODE = "hie_incidence_per_1000"
TITLE = "Moderate or severe HIE per 1,000 live births"
SOURCE = "kpis.md v2 New KPIs; dataset.md Live births; domain.md H19"
VERSION = 1
DIRECTION = Direction.MONITOR
LEVELS: tuple[Level, ...] = (Level.BIRTH_UNIT, *ROLLUP_LEVELS)  # issue 18: rolled up from the units
COHORT = ("Every baby born at the unit in the calendar year, cooled or not, against the unit's live births "
          "that year.")
MET = "Moderate or severe HIE (grade 2 or 3), per 1,000 live births."
MISSING = ("Babies with moderate or severe HIE born at a unit with no live-births figure for that year "
           "(the unit is then left out of the rate).")
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation): 1–2 per 1,000 live births"
MEASURE_TYPE = MeasureType.OUTCOME
DENOMINATOR = "live births"
PERIOD_TYPES: tuple[str, ...] = (PeriodType.YEAR.value,)
RATE_PER = 1000

MODERATE_GRADE = 2


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if facts.hie_grade is not None and facts.hie_grade >= MODERATE_GRADE:
        return Outcome.MET
    return Outcome.NOT_ELIGIBLE
