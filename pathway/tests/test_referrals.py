"""Referrals, cooled or not (issue 14): the list page, its filters, who sees what, and the counts shown on the
list and on the network dashboard."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.services import compute
from pathway import referrals
from pathway.models import Case
from pathway.services import case_create

NOT_COOLED_BLANKS: dict[str, Any] = dict.fromkeys(
    ["cooling_centre", "passive_cooling_start", "active_cooling_start", "target_temp_reached", "rewarming_start",
     "rewarming_end", "depart_referring_datetime", "arrive_centre_datetime", "core_monitoring_start",
     "lowest_temp_before_arrival_c", "arrival_temp_c", "mri_datetime"])


def cooled(ref: str, unit: str = "RWG02", **more: Any) -> Case:
    return case_create(values=cooled_case_values(case_ref=ref, birth_unit=unit, referral_decision="cool", **more),
                       by=_author())


def not_cooled(ref: str, unit: str, reason: str, decision: str = "do_not_cool", birth: datetime | None = None,
               **more: Any) -> Case:
    values = cooled_case_values(case_ref=ref, birth=birth, birth_unit=unit, therapeutic_hypothermia="no",
                                transport_cooling="",
                                mri_performed="", referral_decision=decision, not_cooled_reason=reason,
                                **NOT_COOLED_BLANKS)
    values.update(more)
    return case_create(values=values, by=_author())


def _author() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="nina")


@pytest.fixture
def referred(people: Personas) -> dict[str, Case]:
    """Watford (RWG02): A cooled at Addenbrooke's, B not cooled (mild), C not cooled with no decision recorded.
    Ipswich (RDE03): D not cooled (parents declined). E at Watford had no referral call at all."""
    return {
        "A": cooled("REF-A"),
        "B": not_cooled("REF-B", "RWG02", "no_or_mild_encephalopathy"),
        "C": not_cooled("REF-C", "RWG02", "", decision=""),
        "D": not_cooled("REF-D", "RDE03", "parents_declined"),
        "E": not_cooled("REF-E", "RWG02", "", decision="", referral_datetime=None),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(user: Any, **params: str) -> list[str]:
    response = _client(user).get(reverse("pathway:referral_list"), params)
    assert response.status_code == 200
    return [case.case_ref for case in response.context["page"].object_list]


@pytest.mark.django_db
def test_each_role_sees_the_referrals_of_its_units_only(people: Personas, referred: dict[str, Case]) -> None:
    assert sorted(_listed(people.nurse)) == ["REF-A", "REF-B", "REF-C", "REF-D"]  # E was never referred
    assert sorted(_listed(people.clinician)) == ["REF-A", "REF-B", "REF-C"]  # Watford
    assert sorted(_listed(people.outsider)) == ["REF-D"]  # Ipswich
    assert sorted(_listed(people.consultant)) == ["REF-A"]  # cooled at Addenbrooke's
    assert Client().get(reverse("pathway:referral_list")).status_code == 302  # sign in first


@pytest.mark.parametrize(("params", "expected"), [
    ({"unit": "RDE03"}, ["REF-D"]),
    ({"unit": "RGT01"}, ["REF-A"]),  # cooled there
    ({"decision": "cool"}, ["REF-A"]),
    ({"decision": "do_not_cool"}, ["REF-B", "REF-D"]),
    ({"decision": "none"}, ["REF-C"]),
    ({"reason": "parents_declined"}, ["REF-D"]),
    ({"reason": "none"}, ["REF-C"]),
    ({"cooled": "no"}, ["REF-B", "REF-C", "REF-D"]),
    ({"decision": "do_not_cool", "unit": "RWG02"}, ["REF-B"]),
    # An unknown unit is reported on the form and ignored, as the case list does: the list stays whole.
    ({"unit": "XXXXX"}, ["REF-A", "REF-B", "REF-C", "REF-D"]),
])
@pytest.mark.django_db
def test_filters(people: Personas, referred: dict[str, Case], params: dict[str, str], expected: list[str]) -> None:
    assert sorted(_listed(people.nurse, **params)) == expected


@pytest.mark.django_db
def test_dates_are_uk_dates_of_the_referral_call(people: Personas) -> None:
    """00:30 BST on 1 Jun 2024 is 23:30 UTC on 31 May: it is a 1 June referral."""
    birth = datetime(2024, 5, 31, 23, 0, tzinfo=LONDON)
    cooled("REF-LATE", birth=birth, referral_datetime=datetime(2024, 6, 1, 0, 30, tzinfo=LONDON))
    assert _listed(people.nurse, start="01/06/2024", end="01/06/2024") == ["REF-LATE"]
    assert _listed(people.nurse, end="31/05/2024") == []
    page = _client(people.nurse).get(reverse("pathway:referral_list"), {"start": "02/06/2024", "end": "01/06/2024"})
    assert "Referred to must be on or after Referred from" in page.content.decode()


@pytest.mark.django_db
def test_counts_by_hand(people: Personas, referred: dict[str, Case]) -> None:
    counts = referrals.counts(referrals.referrals(Case.objects.all()))
    assert (counts.referrals, counts.cooled, counts.not_cooled, counts.no_decision) == (4, 1, 3, 1)
    assert counts.not_cooled_percent == "75%"
    by_reason = {r.code: r.count for r in counts.by_reason}
    assert by_reason == {"no_or_mild_encephalopathy": 1, "criteria_a_not_met": 0, "over_6h": 0,
                         "gestation_or_weight": 0, "major_anomaly": 0, "palliative_care": 0, "improved": 0,
                         "parents_declined": 1, "other": 0, "none": 1}


@pytest.mark.django_db
def test_the_list_shows_decision_reason_and_summary(people: Personas, referred: dict[str, Case]) -> None:
    html = _client(people.clinician).get(reverse("pathway:referral_list")).content.decode()
    assert "No or mild encephalopathy" in html
    assert "Not recorded" in html  # C's decision and reason
    assert "Parents declined</td><td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">0" in html.replace(
        "\n", "").replace("  ", "")  # D is not the clinician's: the summary counts only what is listed


@pytest.mark.django_db
def test_network_dashboard_counts_referrals(people: Personas, referred: dict[str, Case]) -> None:
    compute(as_of=date(2025, 3, 1))
    html = _client(people.clinician).get(reverse("kpis:overview"), {"period": "2024"}).content.decode()
    section = html[html.index('id="referrals-heading"'):]
    # Network-wide counts on the dashboard (no patient data): 4 referrals, 1 cooled, 3 not cooled.
    assert "<dd class=\"nhsuk-summary-list__value\">4</dd>" in section
    assert "3 (75% of referrals)" in section
    assert "start=01/01/2024&amp;end=31/12/2024" in section


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_referrals(people: Personas, referred: dict[str, Case],
                                                      django_assert_max_num_queries: Any) -> None:
    for n in range(5):
        not_cooled(f"REF-X{n}", "RWG02", "improved", birth=datetime(2024, 1, 1, tzinfo=LONDON) + timedelta(days=n))
    client = _client(people.nurse)
    with django_assert_max_num_queries(12):
        client.get(reverse("pathway:referral_list"))
