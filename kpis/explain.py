"""What each KPI means, in clinicians' words, from the definitions themselves (the registry).

The definitions page (`/kpis/definitions/`) and the short definition beside every figure are both built here
from the attributes every definition module carries (`kpis.definitions.base`: COHORT, MET or MEASURE,
MISSING, CITATION, MEASURE_TYPE, DIRECTION, VERSION), so a new definition explains itself the same way and
the words cannot drift from the code that counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from kpis.baselines import PUBLISHED
from kpis.definitions.base import KpiDefinition, MeasureType, MedianDefinition
from kpis.outcome import Direction
from kpis.registry import BREACHES, BY_BIRTH_COHORT, KPIS, MEDIANS

CONVENTIONS: Final = (
    ("Time zero", "The time of birth, or of the postnatal collapse when there was one. Every interval is "
                  "counted in exact minutes from it, across clock changes; \"within 6 hours\" includes 6 hours "
                  "exactly."),
    ("Which period a baby counts in", "The baby's date of birth, UK time."),
    ("Rate", "Babies counted ÷ babies the measure applies to with the data recorded (n). Shown with its 95% "
             "Wilson interval: the range the true rate probably lies in, wide when n is small."),
    ("Missing", "Babies the measure applies to whose data needed to decide is not recorded. They are never "
                "counted as failures: they are left out of the rate and shown beside it, so a low rate is not "
                "a recording gap in disguise."),
    ("Median times", "The middle value in minutes, with the interquartile range (IQR: the middle half of "
                     "babies lay between these times)."),
    ("Level", "Birth unit: babies born there, wherever they were cooled. Cooling centre: babies cooled "
              "there, wherever they were born. Network: every baby."),
    ("Version", "A change to a definition is a new version; published figures keep the version they were "
                "computed with."),
)

_DIRECTION_TEXT: Final = {Direction.HIGHER: "Higher is better", Direction.LOWER: "Lower is better",
                          Direction.MONITOR: "Monitored (no better direction: reviewed case by case)"}
_TYPE_TEXT: Final = {MeasureType.PROCESS: "Process measure", MeasureType.OUTCOME: "Outcome measure",
                     MeasureType.AUDIT: "Audit measure"}


@dataclass(frozen=True)
class Explanation:
    code: str
    title: str
    is_median: bool
    cohort: str
    counted: str  # a rate: when a baby is counted; a median: what is timed
    missing: str
    direction: Direction
    version: int
    citation: str
    measure_type: MeasureType
    by_birth_cohort: bool
    has_breach_view: bool

    @property
    def counted_label(self) -> str:
        return "Time measured" if self.is_median else "Counted when"

    @property
    def direction_text(self) -> str:
        return "Shorter is better" if self.is_median else _DIRECTION_TEXT[self.direction]

    @property
    def type_text(self) -> str:
        return _TYPE_TEXT[self.measure_type]

    @property
    def published_text(self) -> str:
        """East of England figures published for the pathway: before it began, and in 2012."""
        published = PUBLISHED.get(self.code)
        return f"{published.text} (before the pathway → 2012)" if published else ""

    @property
    def anchor(self) -> str:
        return f"kpi-{self.code}"


def _rate(definition: KpiDefinition) -> Explanation:
    return Explanation(code=definition.CODE, title=definition.TITLE, is_median=False, cohort=definition.COHORT,
                       counted=definition.MET, missing=definition.MISSING, direction=definition.DIRECTION,
                       version=definition.VERSION, citation=definition.CITATION,
                       measure_type=definition.MEASURE_TYPE, by_birth_cohort=definition in BY_BIRTH_COHORT,
                       has_breach_view=definition in BREACHES)


def _median(definition: MedianDefinition) -> Explanation:
    return Explanation(code=definition.CODE, title=definition.TITLE, is_median=True, cohort=definition.COHORT,
                       counted=definition.MEASURE, missing=definition.MISSING, direction=definition.DIRECTION,
                       version=definition.VERSION, citation=definition.CITATION,
                       measure_type=definition.MEASURE_TYPE, by_birth_cohort=False, has_breach_view=False)


ALL: Final = (*(_rate(d) for d in KPIS), *(_median(d) for d in MEDIANS))
BY_CODE: Final = {explanation.code: explanation for explanation in ALL}
