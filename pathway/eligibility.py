"""TOBY eligibility derived from the record (kpis.md v2 "Derived eligibility"; domain.md §2.1): shown on the
case, and read by the KPIs that ask whether a baby was cooled outside criteria. Not a KPI itself.

Pure: reads the dataset's field names as attributes (a Case, an unsaved one, or the KPI engine's facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.text import capfirst

from pathway import choices as c

MIN_GESTATION_WEEKS = 36
APGAR_10_AT_MOST = 5
PH_BELOW = Decimal("7.00")
BASE_DEFICIT_FROM = Decimal("16.0")
MIN_GRADE = 2
ABNORMAL_AEEG = frozenset({c.Aeeg.MODERATELY_ABNORMAL, c.Aeeg.SEVERELY_ABNORMAL, c.Aeeg.SEIZURES})


class Criterion(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


LABELS = {Criterion.MET: "Met", Criterion.NOT_MET: "Not met", Criterion.UNKNOWN: "Unknown"}


@dataclass(frozen=True)
class Finding:
    criterion: Criterion
    why: str

    @property
    def label(self) -> str:
        return LABELS[self.criterion]


@dataclass(frozen=True)
class Eligibility:
    a: Finding
    b: Finding
    c: Finding

    @property
    def meets_all(self) -> bool:
        return all(f.criterion == Criterion.MET for f in (self.a, self.b, self.c))

    @property
    def outside_criteria_evidence(self) -> bool:
        """A or B not met: with cooling, evidence of cooling outside criteria."""
        return Criterion.NOT_MET in (self.a.criterion, self.b.criterion)

    @property
    def rows(self) -> list[tuple[str, Finding]]:
        return [("A: condition at birth", self.a), ("B: moderate or severe encephalopathy", self.b),
                ("C: abnormal aEEG", self.c)]


def _criterion_a(record: Any) -> Finding:
    if record.gestation_weeks is not None and record.gestation_weeks < MIN_GESTATION_WEEKS:
        return Finding(Criterion.NOT_MET, f"Gestation below {MIN_GESTATION_WEEKS}+0 weeks")
    apgar, resus = record.apgar_10, record.resus_at_10min
    ph, deficit = record.lowest_ph_60min, record.base_deficit_60min
    found = [text for ok, text in (
        (apgar is not None and apgar <= APGAR_10_AT_MOST, f"Apgar {apgar} at 10 minutes"),
        (resus == c.YesNoUnknown.YES, "still being resuscitated at 10 minutes"),
        (ph is not None and ph < PH_BELOW, f"pH {ph} within 60 minutes"),
        (deficit is not None and deficit >= BASE_DEFICIT_FROM, f"base deficit {deficit} mmol/L within 60 minutes"),
    ) if ok]
    if found and record.gestation_weeks is not None:
        return Finding(Criterion.MET, capfirst("; ".join(found)))
    recorded = (apgar is not None and resus in (c.YesNoUnknown.YES, c.YesNoUnknown.NO) and ph is not None
                and deficit is not None)
    if recorded and not found:
        return Finding(Criterion.NOT_MET, "Apgar, resuscitation, pH and base deficit all recorded; none qualifies")
    return Finding(Criterion.UNKNOWN, "Not enough recorded to decide (Apgar, resuscitation, pH, base deficit)")


def _criterion_b(record: Any) -> Finding:
    grade = record.hie_grade
    if grade is None:
        return Finding(Criterion.UNKNOWN, "HIE grade not recorded")
    if grade >= MIN_GRADE:
        return Finding(Criterion.MET, f"HIE grade {grade}")
    return Finding(Criterion.NOT_MET, f"HIE grade {grade}")


def _criterion_c(record: Any) -> Finding:
    aeeg = record.aeeg
    if aeeg in ABNORMAL_AEEG:
        return Finding(Criterion.MET, f"aEEG {c.Aeeg(aeeg).label.lower()}")
    if aeeg == c.Aeeg.NORMAL:
        return Finding(Criterion.NOT_MET, "aEEG normal")
    return Finding(Criterion.UNKNOWN, "aEEG not done or not recorded")


def assess(record: Any) -> Eligibility:
    return Eligibility(_criterion_a(record), _criterion_b(record), _criterion_c(record))
