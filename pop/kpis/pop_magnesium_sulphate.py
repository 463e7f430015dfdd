"""Magnesium sulphate for neuroprotection, started within the 24 hours before birth.

kpis.md POP table, `pop_magnesium_sulphate`: eligible at gestation 23+0 to 29+6; met when
`magnesium_start_datetime` is within 24 h before birth (0 ≤ birth − start ≤ 24 h, inclusive, on exact
instants: across a clock change 24 h is 24 real hours); never missing (empty = not given).
domain.md §5.1 (NICE QS135 statement 6; NNAP).
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import MeasureType
from kpis.outcome import Direction, Outcome
from pop.kpis.base import POP_LEVELS, SPEC, gestation
from pop.kpis.facts import PopFacts

CODE = "pop_magnesium_sulphate"
TITLE = "Magnesium sulphate within 24 hours before birth"
SOURCE = f"{SPEC}: pop_magnesium_sulphate; domain.md §5.1"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = POP_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies born alive at 23+0 to 29+6 weeks."
MET = "Magnesium sulphate for neuroprotection was started in the 24 hours before the birth."
MISSING = "Never: no start time recorded counts as not given."
CITATION = "NICE NG25 2015 (QS135); PReCePT 2018; NNAP 2023"
MEASURE_TYPE = MeasureType.PROCESS

FROM = gestation(23, 0)
TO = gestation(29, 6)
WINDOW_MIN = 24 * 60


def evaluate(facts: PopFacts, as_of: date) -> Outcome:
    if not FROM <= facts.gestation_total_days <= TO:
        return Outcome.NOT_ELIGIBLE
    if facts.magnesium_start is None:
        return Outcome.NOT_MET
    before_birth = -facts.minutes_after_birth(facts.magnesium_start)
    return Outcome.of(0 <= before_birth <= WINDOW_MIN)
