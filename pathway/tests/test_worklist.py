"""The worklist: items per kind at a fixed as-of, their due/overdue boundaries, and the page.

The rules are tested pure (cases in memory, `as_of` passed in); the page is tested on the database with
the clock frozen, for access, filters and a query count that does not grow with the number of cases.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON, parse_local_datetime
from pathway import services
from pathway.models import Case, WorklistAcknowledgement
from pathway.tests.test_timeline import ADDENBROOKES, IPSWICH, WATFORD, after, make_case
from pathway.worklist import (
    Item,
    Kind,
    add_months,
    at_unit,
    candidate_cases,
    grouped,
    items_for,
    units_of,
)

HOUR = 60
DAY = 24 * HOUR


def of_kind(case: Case, as_of: datetime, kind: Kind) -> Item | None:
    found = [item for item in items_for([case], as_of) if item.kind == kind]
    assert len(found) <= 1
    return found[0] if found else None


def in_hospital(**overrides: Any) -> Case:
    """A cooled baby after rewarming, still in hospital, no MRI yet."""
    values: dict[str, Any] = {"mri_performed": "", "mri_datetime": None, "discharge_datetime": None,
                              "outcome": "", "followup_2y": ""}
    values.update(overrides)
    return make_case(**values)


# --- (a) MRI window ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "listed", "overdue"), [
    (120 * HOUR - 1, False, False),  # day 4
    (120 * HOUR, True, False),  # day 5 begins
    (360 * HOUR - 1, True, False),  # last minute of day 14
    (360 * HOUR, True, True),  # day 14 has ended
    (40 * DAY, True, True),
])
def test_mri_window_day_5_to_14(minutes: int, listed: bool, overdue: bool) -> None:
    case = in_hospital()
    item = of_kind(case, after(case, minutes), Kind.MRI_DUE)
    assert (item is not None) is listed
    if item is not None:
        assert item.overdue is overdue
        assert item.due == date(2024, 5, 28)  # born 14/05/2024 03:10
        verb = "closed" if overdue else "closes"
        assert item.what.startswith(f"MRI window {verb} 28/05/2024 (day 14); the baby is on day ")


def test_mri_due_date_is_the_uk_date_of_day_14() -> None:
    case = in_hospital(birth=parse_local_datetime("2024-05-14T00:30"))  # 13/05 23:30 UTC
    item = of_kind(case, after(case, 6 * DAY), Kind.MRI_DUE)
    assert item is not None
    assert item.due == date(2024, 5, 28)


@pytest.mark.parametrize("overrides", [
    {"mri_performed": "yes", "mri_datetime": 6 * DAY},
    {"therapeutic_hypothermia": "no"},
    {"outcome": "died", "death_datetime": 4 * DAY},
    {"discharge_datetime": 5 * DAY},  # discharged: the next group's business
    {"entered_in_error": True},
])
def test_mri_window_skips(overrides: dict[str, Any]) -> None:
    case = in_hospital(**overrides)
    assert of_kind(case, after(case, 8 * DAY), Kind.MRI_DUE) is None


def test_mri_recorded_as_not_done_is_still_listed_in_hospital() -> None:
    case = in_hospital(mri_performed="no")
    assert of_kind(case, after(case, 8 * DAY), Kind.MRI_DUE) is not None


# --- (b) discharged without MRI ---------------------------------------------------------------------------


def test_discharged_without_mri() -> None:
    case = make_case(mri_performed="no", mri_datetime=None)
    item = of_kind(case, after(case, 12 * DAY), Kind.NO_MRI)
    assert item is not None
    assert item.what == "Discharged 26/05/2024 without MRI (recorded as not done)"
    assert item.due == date(2024, 5, 26)
    assert item.overdue is True
    assert of_kind(case, after(case, 12 * DAY - 1), Kind.NO_MRI) is None  # not discharged yet


@pytest.mark.parametrize("overrides", [
    {},  # MRI yes
    {"mri_performed": "", "mri_datetime": None, "outcome": "died", "death_datetime": 11 * DAY},
    {"mri_performed": "", "mri_datetime": None, "therapeutic_hypothermia": "no"},
])
def test_discharged_without_mri_skips(overrides: dict[str, Any]) -> None:
    case = make_case(**overrides)
    assert of_kind(case, after(case, 20 * DAY), Kind.NO_MRI) is None


def test_discharged_with_mri_unknown_is_listed() -> None:
    case = make_case(mri_performed="unknown", mri_datetime=None)
    item = of_kind(case, after(case, 20 * DAY), Kind.NO_MRI)
    assert item is not None
    assert item.what == "Discharged 26/05/2024 without MRI (no MRI recorded)"


# --- (c) missing data ---------------------------------------------------------------------------------------


def test_missing_data_names_the_items() -> None:
    case = make_case(hie_grade=None, placenta_sent="")
    item = of_kind(case, after(case, 20 * DAY), Kind.MISSING_DATA)
    assert item is not None
    assert item.what == "2 items missing: HIE grade, Placenta sent for histology"
    assert item.due is None
    assert item.overdue is False
    single = make_case(hie_grade=None)
    found = of_kind(single, after(single, 20 * DAY), Kind.MISSING_DATA)
    assert found is not None
    assert found.what == "1 item missing: HIE grade"
    assert of_kind(make_case(), after(case, 20 * DAY), Kind.MISSING_DATA) is None


# --- (d) 2-year follow-up ------------------------------------------------------------------------------------


def london(text: str) -> datetime:
    return parse_local_datetime(text).astimezone(UTC)


@pytest.mark.parametrize(("as_of", "listed", "overdue"), [
    ("2025-11-13T23:59", False, False),  # the day before 18 months
    ("2025-11-14T00:00", True, False),  # 18 months old (born 14/05/2024)
    ("2026-11-14T23:59", True, False),  # 30 months old: due today
    ("2026-11-15T00:00", True, True),  # after 30 months
])
def test_follow_up_from_18_months_overdue_after_30(as_of: str, listed: bool, overdue: bool) -> None:
    case = make_case()
    item = of_kind(case, london(as_of), Kind.FOLLOW_UP)
    assert (item is not None) is listed
    if item is not None:
        assert item.due == date(2026, 11, 14)
        assert item.overdue is overdue
        assert item.what == "2-year follow-up due by 14/11/2026 (not recorded)"


def test_follow_up_ages_use_the_uk_date_of_birth() -> None:
    case = make_case(birth=parse_local_datetime("2022-06-01T00:30"))  # BST: 31/05/2022 23:30 UTC
    assert of_kind(case, london("2023-11-30T12:00"), Kind.FOLLOW_UP) is None
    item = of_kind(case, london("2023-12-01T00:00"), Kind.FOLLOW_UP)
    assert item is not None
    assert item.due == date(2024, 12, 1)


@pytest.mark.parametrize(("overrides", "listed"), [
    ({"followup_2y": "unknown"}, True),
    ({"followup_2y": "completed", "followup_2y_date": date(2026, 5, 1)}, False),
    ({"followup_2y": "not_done"}, False),
    ({"followup_2y": "moved_out"}, False),
    ({"outcome": "died", "death_datetime": 5 * DAY}, False),
    ({"therapeutic_hypothermia": "no"}, True),  # every surviving baby on the pathway is followed up
])
def test_follow_up_who_is_listed(overrides: dict[str, Any], listed: bool) -> None:
    case = make_case(**overrides)
    assert (of_kind(case, london("2026-06-01T12:00"), Kind.FOLLOW_UP) is not None) is listed


def test_add_months_keeps_calendar_months() -> None:
    assert add_months(date(2024, 5, 14), 18) == date(2025, 11, 14)
    assert add_months(date(2022, 8, 31), 18) == date(2024, 2, 29)  # leap year
    assert add_months(date(2021, 8, 31), 18) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 30) == date(2026, 7, 31)
    assert add_months(date(2024, 12, 1), 1) == date(2025, 1, 1)


# --- (e) data-quality flags -----------------------------------------------------------------------------------


def test_data_quality_flags_are_listed_one_item_per_warning() -> None:
    case = make_case(dq_flags=["cooling_after_6h", "preterm_cooled"])
    items = [i for i in items_for([case], after(case, 20 * DAY)) if i.kind == Kind.DATA_QUALITY]
    assert [(i.what, i.key) for i in items] == [
        ("Check: Cooling started more than 6 hours after time zero", "data_quality:cooling_after_6h"),
        ("Check: Cooled at a gestation below 36+0 weeks", "data_quality:preterm_cooled"),
    ]
    assert of_kind(make_case(), after(case, 20 * DAY), Kind.DATA_QUALITY) is None


# --- Grouping and units -------------------------------------------------------------------------------------


def test_groups_have_every_kind_counts_and_overdue_first() -> None:
    late = in_hospital(case_ref="LATE", birth=datetime(2024, 5, 1, 12, 0, tzinfo=LONDON))
    due = in_hospital(case_ref="DUE")
    as_of = after(due, 8 * DAY)
    groups = grouped(items_for([due, late], as_of))
    assert [g.kind for g in groups] == list(Kind)
    mri = groups[0]
    assert [i.case.case_ref for i in mri.items] == ["LATE", "DUE"]
    assert (mri.count, mri.overdue_count) == (2, 1)
    assert groups[1].count == 0


def test_entered_in_error_cases_give_no_items() -> None:
    case = make_case(entered_in_error=True, hie_grade=None, dq_flags=["preterm_cooled"])
    assert items_for([case], after(case, 1000 * DAY)) == []


def test_units_and_unit_filter() -> None:
    a = make_case(case_ref="A")  # Watford → Addenbrooke's
    b = make_case(case_ref="B", born_at=IPSWICH, centre=IPSWICH)
    assert [u.ods_code for u in units_of([a, b])] == ["RGT01", "RDE03", "RWG02"]  # by short name
    assert [c.case_ref for c in at_unit([a, b], "RGT01")] == ["A"]
    assert [c.case_ref for c in at_unit([a, b], WATFORD.ods_code)] == ["A"]
    assert [c.case_ref for c in at_unit([a, b], "RDE03")] == ["B"]
    assert ADDENBROOKES.short_name == "Addenbrooke's"


# --- On the database: access, query count, the page ---------------------------------------------------------

NOW = datetime(2024, 6, 20, 12, 0, tzinfo=LONDON)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def create(people: Personas, **overrides: Any) -> Case:
    return services.case_create(values=cooled_case_values(**overrides), by=people.nurse)


@pytest.fixture
def cases(people: Personas, frozen: None) -> dict[str, Case]:
    """At 20/06/2024: an MRI due, one overdue, one discharged without MRI, one with flags, one at Ipswich."""
    def born(days: float) -> datetime:
        return NOW - timedelta(days=days)

    no_mri = {"mri_performed": "", "mri_datetime": None, "discharge_datetime": None, "outcome": "",
              "family_booklet_given": ""}
    return {
        "due": create(people, case_ref="W-DUE", birth=born(8), **no_mri),
        "overdue": create(people, case_ref="W-LATE", birth=born(20), **no_mri),
        "no_mri": create(people, case_ref="W-NOMRI", birth=born(30), mri_performed="no", mri_datetime=None),
        "flags": create(people, case_ref="W-FLAG", birth=born(60), gestation_weeks=35),
        "ipswich": create(people, case_ref="I-DUE", birth=born(8), birth_unit="RDE03", centre="RM102", **no_mri),
    }


def test_candidate_cases_are_the_users_current_cases(people: Personas, cases: dict[str, Case]) -> None:
    services.case_mark_entered_in_error(case=cases["flags"], reason="Duplicate", expected_version=1,
                                        by=people.nurse)
    assert {c.case_ref for c in candidate_cases(people.clinician)} == {"W-DUE", "W-LATE", "W-NOMRI"}
    assert {c.case_ref for c in candidate_cases(people.nurse)} == {"W-DUE", "W-LATE", "W-NOMRI", "I-DUE"}


def test_worklist_items_in_a_bounded_number_of_queries(people: Personas, cases: dict[str, Case],
                                                       django_assert_max_num_queries: Any) -> None:
    for n in range(15):
        create(people, case_ref=f"X{n:02d}", birth=NOW - timedelta(days=6 + n), mri_performed="",
               mri_datetime=None, discharge_datetime=None, outcome="")
    user = type(people.nurse).objects.get(pk=people.nurse.pk)  # no cached memberships
    with django_assert_max_num_queries(2):  # memberships (with the number of networks), then the cases
        items = items_for(candidate_cases(user), NOW)
        refs = {(i.kind, i.case.case_ref, i.case.birth_unit.short_name) for i in items}
    assert (Kind.MRI_DUE, "W-DUE", "Watford") in refs


def get(user: Any, **params: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("pathway:worklist"), params)


def shown(response: Any) -> list[tuple[str, str]]:
    return [(i.kind.value, i.case.case_ref) for i in response.context["items"]]


def test_worklist_page_lists_items_by_due_date(people: Personas, cases: dict[str, Case]) -> None:
    response = get(people.nurse)
    assert response.status_code == 200
    items = response.context["items"]
    dated = [i for i in items if i.due is not None]
    assert [i.due for i in dated] == sorted(i.due for i in dated)  # earliest due first
    assert all(i.due is not None for i in items[: len(dated)])  # undated after every dated item
    assert [r for r in shown(response) if r[0] == "mri_due"] == [("mri_due", "W-LATE"), ("mri_due", "I-DUE"),
                                                                 ("mri_due", "W-DUE")]
    counts = {k: n for k, _, n in response.context["counts"]}
    assert (counts[Kind.MRI_DUE], counts[Kind.NO_MRI], counts[Kind.DATA_QUALITY]) == (3, 1, 1)
    body = response.content.decode()
    assert "MRI window closes 26/06/2024 (day 14); the baby is on day 8" in body
    assert "MRI window closed 14/06/2024 (day 14); the baby is on day 20" in body
    assert "Overdue" in body
    assert reverse("pathway:case_detail", args=[cases["due"].pk]) in body


def test_worklist_filters_by_unit_kind_and_due(people: Personas, cases: dict[str, Case]) -> None:
    response = get(people.nurse, unit="RDE03", kind="mri_due")
    assert (response.context["unit"], response.context["kind"]) == ("RDE03", "mri_due")
    assert shown(response) == [("mri_due", "I-DUE")]
    counts = {k: n for k, _, n in response.context["counts"]}
    assert (counts[Kind.MRI_DUE], counts[Kind.NO_MRI]) == (1, 0)
    assert "W-DUE" not in response.content.decode()
    overdue = get(people.nurse, due="overdue")
    assert {i.due_state for i in overdue.context["items"]} == {"overdue"}
    assert ("mri_due", "W-LATE") in shown(overdue) and ("mri_due", "W-DUE") not in shown(overdue)
    undated = get(people.nurse, due="no_date")
    assert {i.due for i in undated.context["items"]} == {None}


def test_worklist_ignores_unknown_filters(people: Personas, cases: dict[str, Case]) -> None:
    response = get(people.nurse, unit="ZZZ99", kind="nonsense", due="someday")
    assert response.status_code == 200
    assert (response.context["unit"], response.context["kind"], response.context["due"]) == ("", "", "")


def test_worklist_pages_hold_50_items(people: Personas, frozen: None) -> None:
    for n in range(55):
        create(people, case_ref=f"P{n:02d}", birth=NOW - timedelta(days=400 + n), hie_grade=None)
    first, second = get(people.nurse, kind="missing_data"), get(people.nurse, kind="missing_data", page=2)
    assert (len(first.context["items"]), len(second.context["items"])) == (50, 5)
    assert first.context["total"] == 55
    assert "Page 2 of 2" in first.content.decode()
    assert not {r for r in shown(first)} & {r for r in shown(second)}


def test_worklist_page_query_count_does_not_grow(people: Personas, cases: dict[str, Case],
                                                 django_assert_max_num_queries: Any) -> None:
    for n in range(20):
        create(people, case_ref=f"Y{n:02d}", birth=NOW - timedelta(days=3 + n), hie_grade=None)
    client = Client()
    client.force_login(people.nurse)
    client.get(reverse("pathway:worklist"))  # the first page of a session also stamps its idle clock
    # session, user, memberships (with the number of networks), the cases with their units,
    # acknowledgements, overdue improvement actions
    with django_assert_max_num_queries(6):
        response = client.get(reverse("pathway:worklist"))
    assert response.status_code == 200
    assert response.context["total"] > 20


# --- Horizon, the live board's babies, acknowledging --------------------------------------------------------


@pytest.mark.parametrize(("as_of", "open_"), [
    ("2027-05-14T12:00", True),  # 3 years old today (born 14/05/2024)
    ("2027-05-15T00:00", False),  # the day after: closed by itself
])
def test_items_close_themselves_three_years_after_birth(as_of: str, open_: bool) -> None:
    case = make_case(hie_grade=None, dq_flags=["preterm_cooled"])
    assert bool(items_for([case], london(as_of))) is open_


def test_the_horizon_is_a_setting(settings: Any) -> None:
    settings.WORKLIST_HORIZON_YEARS = 5
    case = make_case(hie_grade=None)
    assert items_for([case], london("2029-05-14T12:00"))
    assert not items_for([case], london("2029-05-15T00:00"))


def test_a_baby_inside_the_6_hour_window_is_not_missing_data() -> None:
    blanks: dict[str, Any] = dict.fromkeys((
        "passive_cooling_start", "active_cooling_start", "core_monitoring_start", "target_temp_reached",
        "depart_referring_datetime", "arrive_centre_datetime", "rewarming_start", "rewarming_end",
        "parent_consultation_datetime", "mri_datetime", "discharge_datetime"))
    case = make_case(**blanks, hie_grade=None, mri_performed="", outcome="")
    assert of_kind(case, after(case, 3 * HOUR), Kind.MISSING_DATA) is None
    assert of_kind(case, after(case, 20 * DAY), Kind.MISSING_DATA) is not None  # long past: a real gap


def ack(user: Any, case: Case, key: str, **data: str) -> Any:
    client = Client()
    client.force_login(user)
    url = reverse("pathway:worklist_acknowledge", args=[case.pk])
    return client.post(url, {"key": key, "next": reverse("pathway:worklist"), **data})


def test_acknowledging_a_warning_with_a_reason_takes_it_off_the_list(people: Personas,
                                                                     cases: dict[str, Case]) -> None:
    flagged = cases["flags"]
    key = "data_quality:preterm_cooled"
    response = ack(people.nurse, flagged, key, reason="outside_criteria_decision", note="Discussed 14/04")
    assert response.status_code == 302
    assert ("data_quality", "W-FLAG") not in shown(get(people.nurse))
    saved = WorklistAcknowledgement.objects.get(case=flagged, item_key=key)
    assert (saved.reason, saved.note, saved.acknowledged_by) == ("outside_criteria_decision", "Discussed 14/04",
                                                                 people.nurse)
    event = AuditEvent.objects.get(object_type="pathway.worklist_acknowledgement", object_id=str(saved.pk))
    assert event.actor == people.nurse
    assert event.changes["reason"] == "Cooled outside criteria: consultant decision with parents"
    assert event.changes["item"] == "Check: Cooled at a gestation below 36+0 weeks"
    # A new problem on the same case is still listed.
    services.case_update(case=Case.objects.get(pk=flagged.pk), values={"hie_grade": 1}, expected_version=1,
                         by=people.nurse)
    assert ("data_quality", "W-FLAG") in shown(get(people.nurse))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "reason", "Choose the reason for acknowledging this item"),
    ({"reason": "made_up"}, "reason", "Choose the reason for acknowledging this item"),
    ({"reason": "other"}, "note", "Say why in the note: it is required when the reason is 'Other'"),
    ({"reason": "other", "note": "x" * 501}, "note", "The note must be 500 characters or fewer"),
])
def test_an_acknowledgement_needs_a_reason(people: Personas, cases: dict[str, Case], data: dict[str, str],
                                           field: str, message: str) -> None:
    response = ack(people.nurse, cases["flags"], "data_quality:preterm_cooled", **data)
    assert response.status_code == 400
    assert response.context["errors"] == {field: [message]}
    assert message in html.unescape(response.content.decode())
    assert not WorklistAcknowledgement.objects.exists()


def test_acknowledging_needs_the_right_to_edit_the_case(people: Personas, cases: dict[str, Case]) -> None:
    assert ack(people.outsider, cases["flags"], "data_quality:preterm_cooled", reason="other",
               note="x").status_code == 404  # not their unit
    assert ack(people.lead, cases["flags"], "data_quality:preterm_cooled", reason="other",
               note="x").status_code == 404  # reads only
    assert ack(people.nurse, cases["flags"], "no_such_item", reason="other", note="x").status_code == 404
    assert not WorklistAcknowledgement.objects.exists()


def test_worklist_needs_a_login(cases: dict[str, Case]) -> None:
    response = Client().get(reverse("pathway:worklist"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_case_page_shows_a_warning_as_acknowledged(people: Personas, cases: dict[str, Case]) -> None:
    flagged = cases["flags"]
    client = Client()
    client.force_login(people.nurse)
    url = reverse("pathway:case_detail", args=[flagged.pk])
    before = client.get(url).content.decode()
    assert 'data-warning="preterm_cooled">' in before
    assert "acknowledge with a reason" in before
    ack(people.nurse, flagged, "data_quality:preterm_cooled", reason="outside_criteria_decision", note="Discussed")
    after_ack = html.unescape(client.get(url).content.decode())
    assert 'data-warning="preterm_cooled" data-acknowledged="yes"' in after_ack
    assert ("acknowledged</strong> (Cooled outside criteria: consultant decision with parents: Discussed; "
            "Nina Nurse") in after_ack
