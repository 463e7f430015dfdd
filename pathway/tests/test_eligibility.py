"""TOBY criteria A, B and C (kpis.md v2 "Derived eligibility") at every boundary, with the values that
decided them; and the criteria on the case page and the timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pathway.eligibility import Result, criterion_a, criterion_b, criterion_c, eligibility
from pathway.tests.test_timeline import make_case

NONE_QUALIFY: dict[str, Any] = {
    "apgar_10": 6,
    "resus_at_10min": "no",
    "lowest_ph_60min": Decimal("7.00"),
    "base_deficit_60min": Decimal("15.9"),
}


def a(**overrides: Any) -> Result:
    return criterion_a(make_case(**{**NONE_QUALIFY, **overrides})).result


# --- A -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "result"),
    [
        ({}, Result.NOT_MET),  # all four recorded, none qualifies (pH 7.00 is not < 7.00; BD 15.9 < 16.0)
        ({"apgar_10": 5}, Result.MET),
        ({"apgar_10": 6}, Result.NOT_MET),
        ({"resus_at_10min": "yes"}, Result.MET),
        ({"lowest_ph_60min": Decimal("6.99")}, Result.MET),
        ({"base_deficit_60min": Decimal("16.0")}, Result.MET),
        ({"apgar_10": None}, Result.UNKNOWN),  # three recorded, none qualifies, one missing
        ({"resus_at_10min": "unknown"}, Result.UNKNOWN),  # "unknown" decides nothing
        ({"resus_at_10min": ""}, Result.UNKNOWN),
        ({"apgar_10": None, "base_deficit_60min": Decimal("20")}, Result.MET),  # one sign is enough
    ],
)
def test_criterion_a_signs(overrides: dict[str, Any], result: Result) -> None:
    assert a(**overrides) is result


@pytest.mark.parametrize(
    ("weeks", "days", "result"),
    [
        (35, 6, Result.NOT_MET),  # below 36+0 even with every sign
        (36, 0, Result.MET),
    ],
)
def test_criterion_a_gestation_boundary(weeks: int, days: int, result: Result) -> None:
    assert a(gestation_weeks=weeks, gestation_days=days, apgar_10=2) is result


def test_criterion_a_below_36_weeks_is_not_met_even_with_nothing_recorded() -> None:
    crit = criterion_a(
        make_case(
            gestation_weeks=34,
            gestation_days=6,
            apgar_10=None,
            resus_at_10min="",
            lowest_ph_60min=None,
            base_deficit_60min=None,
        )
    )
    assert (crit.result, crit.reason) == (Result.NOT_MET, "Gestation below 36+0 weeks")


def test_criterion_a_shows_the_values_that_decided_it() -> None:
    crit = criterion_a(make_case(**{**NONE_QUALIFY, "lowest_ph_60min": Decimal("6.95"), "apgar_10": None}))
    assert crit.result is Result.MET
    assert crit.reason == "Lowest pH within 60 minutes qualifies"
    assert [(e.label, e.value, e.qualifies) for e in crit.evidence] == [
        ("Gestation", "39+2 weeks", True),
        ("Apgar at 10 minutes", "Not recorded", None),
        ("Resuscitation at 10 minutes", "No", False),
        ("Lowest pH within 60 minutes", "6.95", True),
        ("Base deficit within 60 minutes", "15.9 mmol/L", False),
    ]


# --- B and C -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "result"),
    [
        (None, Result.UNKNOWN),
        (0, Result.NOT_MET),
        (1, Result.NOT_MET),
        (2, Result.MET),
        (3, Result.MET),
    ],
)
def test_criterion_b_grade_2_or_more(grade: int | None, result: Result) -> None:
    crit = criterion_b(make_case(hie_grade=grade))
    assert crit.result is result
    assert crit.evidence[0].label == "HIE grade"


@pytest.mark.parametrize(
    ("aeeg", "result"),
    [
        ("", Result.UNKNOWN),
        ("not_done", Result.UNKNOWN),
        ("normal", Result.NOT_MET),
        ("moderately_abnormal", Result.MET),
        ("severely_abnormal", Result.MET),
        ("seizures", Result.MET),
    ],
)
def test_criterion_c_abnormal_aeeg(aeeg: str, result: Result) -> None:
    crit = criterion_c(make_case(aeeg=aeeg))
    assert crit.result is result


# --- Together --------------------------------------------------------------------------------------------------


def test_meets_a_b_and_c() -> None:
    found = eligibility(make_case(apgar_10=3, aeeg="seizures", hie_grade=3))
    assert found.meets_all
    assert found.summary == "Meets TOBY criteria A, B and C"
    assert found.outside_codes == []


def test_cooled_with_a_or_b_not_met_is_outside_criteria() -> None:
    found = eligibility(make_case(**NONE_QUALIFY, hie_grade=1, aeeg=""))
    assert not found.meets_all
    assert found.summary == "A not met, B not met, C not known yet"
    assert found.outside_codes == ["A", "B"]
    assert found.cooled_outside_criteria(cooled=True)
    assert not found.cooled_outside_criteria(cooled=False)


# --- On the screens ------------------------------------------------------------------------------------------


def test_case_page_and_timeline_show_the_criteria_with_their_values(people: Personas) -> None:
    case = services.case_create(
        values=cooled_case_values(
            hie_grade=1,
            aeeg="normal",
            apgar_10=7,
            resus_at_10min="no",
            lowest_ph_60min=Decimal("7.10"),
            base_deficit_60min=Decimal("8.0"),
        ),
        by=people.nurse,
    )
    client = Client()
    client.force_login(people.nurse)
    for name in ("pathway:case_detail", "pathway:case_timeline"):
        body = client.get(reverse(name, args=[case.pk])).content.decode()
        assert "TOBY criteria" in body
        assert 'data-criterion="A" data-result="not_met"' in body
        assert 'data-criterion="B" data-result="not_met"' in body
        assert 'data-criterion="C" data-result="not_met"' in body
        assert "Apgar at 10 minutes: <strong>7</strong>" in body
        assert "HIE grade: <strong>1 – mild</strong>" in body
        assert "Cooled with criterion A and B not met" in body
