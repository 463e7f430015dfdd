"""TOBY criteria derived from the record (kpis.md v2 "Derived eligibility"): every boundary, both ways."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from pathway.eligibility import Criterion, assess

# A term baby with every criterion A value recorded and none qualifying; grade 2, aEEG moderately abnormal.
BASE = {"gestation_weeks": 39, "apgar_10": 6, "resus_at_10min": "no", "lowest_ph_60min": Decimal("7.00"),
        "base_deficit_60min": Decimal("15.9"), "hie_grade": 2, "aeeg": "moderately_abnormal"}


def baby(**items: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**BASE, **items})


@pytest.mark.parametrize(("items", "expected"), [
    ({}, Criterion.NOT_MET),  # all four recorded, none qualifies (pH 7.00 is not below 7.00; BD 15.9 < 16)
    ({"apgar_10": 5}, Criterion.MET),
    ({"resus_at_10min": "yes"}, Criterion.MET),
    ({"lowest_ph_60min": Decimal("6.99")}, Criterion.MET),
    ({"base_deficit_60min": Decimal("16.0")}, Criterion.MET),
    ({"gestation_weeks": 35, "apgar_10": 2}, Criterion.NOT_MET),  # below 36+0
    ({"gestation_weeks": 36, "apgar_10": 2}, Criterion.MET),
    ({"apgar_10": None}, Criterion.UNKNOWN),
    ({"resus_at_10min": "unknown"}, Criterion.UNKNOWN),
    ({"lowest_ph_60min": None, "apgar_10": 3}, Criterion.MET),
])
def test_criterion_a(items: dict[str, Any], expected: Criterion) -> None:
    assert assess(baby(**items)).a.criterion == expected


@pytest.mark.parametrize(("grade", "expected"), [(None, Criterion.UNKNOWN), (0, Criterion.NOT_MET),
                                                 (1, Criterion.NOT_MET), (2, Criterion.MET), (3, Criterion.MET)])
def test_criterion_b(grade: int | None, expected: Criterion) -> None:
    assert assess(baby(hie_grade=grade)).b.criterion == expected


@pytest.mark.parametrize(("aeeg", "expected"), [
    ("", Criterion.UNKNOWN), ("not_done", Criterion.UNKNOWN), ("normal", Criterion.NOT_MET),
    ("moderately_abnormal", Criterion.MET), ("severely_abnormal", Criterion.MET), ("seizures", Criterion.MET)])
def test_criterion_c(aeeg: str, expected: Criterion) -> None:
    assert assess(baby(aeeg=aeeg)).c.criterion == expected


def test_meets_all_and_outside_criteria() -> None:
    assert assess(baby(apgar_10=3)).meets_all
    assert not assess(baby(apgar_10=3, aeeg="not_done")).meets_all
    assert assess(baby()).outside_criteria_evidence  # A not met
    assert assess(baby(apgar_10=3, hie_grade=1)).outside_criteria_evidence  # B not met
    assert not assess(baby(apgar_10=3, aeeg="normal")).outside_criteria_evidence  # C alone is not evidence
