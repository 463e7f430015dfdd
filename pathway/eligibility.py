"""TOBY entry criteria A, B and C of one case, each with the values that decided it.

Source: ../shared/spec/kpis.md "v2 additions", "Derived eligibility" (from domain.md §2.1, TOBY trial
registration NCT00147030). Shown on the case and its timeline; not a KPI, and never stored: it is worked
out from the case's own fields every time, so it can never disagree with them.

- A: gestation ≥ 36+0 and any of Apgar ≤ 5 at 10 min, resuscitation at 10 min, lowest pH < 7.00 or base
  deficit ≥ 16.0 within 60 min. Not met below 36+0, or when all four are recorded and none qualifies;
  otherwise unknown. "Unknown" (the coded value) decides nothing, so it counts as not recorded.
- B: HIE grade ≥ 2 (unknown when empty).
- C: aEEG moderately or severely abnormal, or seizures (not met for normal; unknown when empty or not done).
- Meets A+B+C when all three are met; cooling with A or B not met is "cooled outside criteria" evidence.

Pure: reads plain attributes, so it works on a saved case, an unsaved one, or any object with the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pathway import choices as c

# Thresholds (kpis.md v2 "Derived eligibility"; the same numbers as pathway.standards' TOBY_*).
GESTATION_MIN_WEEKS = 36
APGAR_10_MAX = 5
PH_BELOW = Decimal("7.00")
BASE_DEFICIT_MIN = Decimal("16.0")
HIE_GRADE_MIN = 2
AEEG_ABNORMAL = frozenset({c.Aeeg.MODERATELY_ABNORMAL, c.Aeeg.SEVERELY_ABNORMAL, c.Aeeg.SEIZURES})


class Result(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"met": "Met", "not_met": "Not met", "unknown": "Not known yet"}[self.value]


@dataclass(frozen=True)
class Evidence:
    """One value a criterion looked at, as a clinician reads it, and whether it qualified."""

    label: str
    value: str  # "Not recorded" when empty
    qualifies: bool | None  # None: not recorded, so it decides nothing


@dataclass(frozen=True)
class Criterion:
    code: str  # "A", "B", "C"
    title: str
    result: Result
    reason: str  # one sentence: why this result
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Eligibility:
    a: Criterion
    b: Criterion
    c: Criterion

    @property
    def criteria(self) -> tuple[Criterion, Criterion, Criterion]:
        return (self.a, self.b, self.c)

    @property
    def meets_all(self) -> bool:
        return all(crit.result is Result.MET for crit in self.criteria)

    @property
    def summary(self) -> str:
        """ "Meets TOBY criteria A, B and C", or each criterion's result: "A met, B not met, C not known yet"."""
        if self.meets_all:
            return "Meets TOBY criteria A, B and C"
        return ", ".join(f"{crit.code} {crit.result.label.lower()}" for crit in self.criteria)

    @property
    def outside_codes(self) -> list[str]:
        """ "A", "B" or both when not met: cooling then is "cooled outside criteria" evidence (kpis.md v2)."""
        return [crit.code for crit in (self.a, self.b) if crit.result is Result.NOT_MET]

    def cooled_outside_criteria(self, cooled: bool) -> bool:
        return cooled and bool(self.outside_codes)


def _recorded(value: Any) -> bool:
    return value not in (None, "", c.YesNoUnknown.UNKNOWN)


def _shown(value: Any, unit: str = "") -> str:
    return f"{value}{unit}" if _recorded(value) else "Not recorded"


def criterion_a(case: Any) -> Criterion:
    title = "A: condition at birth (≥ 36+0 weeks and a sign of asphyxia)"
    gestation = Evidence(
        "Gestation", f"{case.gestation_weeks}+{case.gestation_days} weeks", case.gestation_weeks >= GESTATION_MIN_WEEKS
    )
    signs = (
        Evidence(
            "Apgar at 10 minutes",
            _shown(case.apgar_10),
            None if case.apgar_10 is None else case.apgar_10 <= APGAR_10_MAX,
        ),
        Evidence(
            "Resuscitation at 10 minutes",
            c.YesNoUnknown(case.resus_at_10min).label if _recorded(case.resus_at_10min) else "Not recorded",
            case.resus_at_10min == c.YesNo.YES if _recorded(case.resus_at_10min) else None,
        ),
        Evidence(
            "Lowest pH within 60 minutes",
            _shown(case.lowest_ph_60min),
            None if case.lowest_ph_60min is None else case.lowest_ph_60min < PH_BELOW,
        ),
        Evidence(
            "Base deficit within 60 minutes",
            _shown(case.base_deficit_60min, " mmol/L"),
            None if case.base_deficit_60min is None else case.base_deficit_60min >= BASE_DEFICIT_MIN,
        ),
    )
    evidence = (gestation, *signs)
    if not gestation.qualifies:
        return Criterion("A", title, Result.NOT_MET, f"Gestation below {GESTATION_MIN_WEEKS}+0 weeks", evidence)
    qualifying = [e.label for e in signs if e.qualifies]
    if qualifying:
        return Criterion("A", title, Result.MET, f"{qualifying[0]} qualifies", evidence)
    if all(e.qualifies is False for e in signs):
        return Criterion("A", title, Result.NOT_MET, "All four recorded and none qualifies", evidence)
    missing = [e.label.lower() for e in signs if e.qualifies is None]
    return Criterion("A", title, Result.UNKNOWN, f"None qualifies so far; not recorded: {', '.join(missing)}", evidence)


def criterion_b(case: Any) -> Criterion:
    title = "B: moderate or severe encephalopathy (HIE grade ≥ 2)"
    grade = case.hie_grade
    if grade is None:
        return Criterion(
            "B", title, Result.UNKNOWN, "HIE grade not recorded", (Evidence("HIE grade", "Not recorded", None),)
        )
    evidence = (Evidence("HIE grade", c.HieGrade(grade).label, grade >= HIE_GRADE_MIN),)
    if grade >= HIE_GRADE_MIN:
        return Criterion("B", title, Result.MET, "Moderate or severe encephalopathy", evidence)
    return Criterion("B", title, Result.NOT_MET, "No or mild encephalopathy (grade 0 or 1)", evidence)


def criterion_c(case: Any) -> Criterion:
    title = "C: abnormal aEEG"
    aeeg = case.aeeg
    if aeeg in ("", c.Aeeg.NOT_DONE):
        shown = "Not done" if aeeg == c.Aeeg.NOT_DONE else "Not recorded"
        return Criterion("C", title, Result.UNKNOWN, f"aEEG {shown.lower()}", (Evidence("aEEG", shown, None),))
    abnormal = aeeg in AEEG_ABNORMAL
    evidence = (Evidence("aEEG", c.Aeeg(aeeg).label, abnormal),)
    if abnormal:
        return Criterion("C", title, Result.MET, "Moderately or severely abnormal, or seizures", evidence)
    return Criterion("C", title, Result.NOT_MET, "Normal aEEG", evidence)


def eligibility(case: Any) -> Eligibility:
    """The three TOBY criteria of the case as recorded now."""
    return Eligibility(criterion_a(case), criterion_b(case), criterion_c(case))
