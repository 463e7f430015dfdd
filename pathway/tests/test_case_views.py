"""The case screens as a nurse uses them: list with search, filters and paging; a new case; sections
saved as you go (htmx and plain posts); the refused second save; history; entered in error."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from pathway import services
from pathway.models import Case

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(people: Personas, **overrides: Any) -> Case:
    return services.case_create(values=cooled_case_values(**overrides), by=people.nurse)


def _refs(response: Any) -> list[str]:
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', response.content.decode())


def _cooling_post(case: Case, **overrides: str) -> dict[str, str]:
    data = {
        "active_cooling_start": "14/05/2024 06:40",
        "target_temp_reached": "14/05/2024 07:00",
        "rewarming_start": "17/05/2024 07:00",
        "rewarming_end": "17/05/2024 15:00",
        "early_stop_reason": "",
        "version": str(case.version),
    }
    data.update(overrides)
    return data


def _section_url(case: Case, slug: str) -> str:
    return reverse("pathway:case_section", args=[case.pk, slug])


# --- list ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_search_by_reference_and_nhs_number(people: Personas) -> None:
    _case(people, case_ref="EOE-2024-0001", nhs_number="9434765919")
    _case(people, case_ref="EOE-2024-0002")
    client = _client(people.nurse)

    assert _refs(client.get(reverse("pathway:case_list"), {"q": "0002"}, follow=True)) == ["EOE-2024-0002"]
    assert _refs(client.get(reverse("pathway:case_list"), {"q": "943 476 5919"}, follow=True)) == ["EOE-2024-0001"]


@pytest.mark.django_db
def test_list_filters_by_unit_year_and_flags(people: Personas, network: Any) -> None:
    _case(people, case_ref="WATFORD-2023", birth=datetime(2023, 3, 1, 10, 0, tzinfo=LONDON))
    _case(people, case_ref="IPSWICH-2024", birth_unit="RDE03", centre="RM102")
    late = _case(people, case_ref="LATE-2024", active_cooling_start=datetime(2024, 5, 14, 10, 0, tzinfo=LONDON),
                 target_temp_reached=datetime(2024, 5, 14, 10, 30, tzinfo=LONDON),
                 rewarming_start=datetime(2024, 5, 17, 10, 30, tzinfo=LONDON),
                 rewarming_end=datetime(2024, 5, 17, 18, 30, tzinfo=LONDON),
                 passive_cooling_start=None, core_monitoring_start=None)
    assert "cooling_after_6h" in late.dq_flags
    client = _client(people.nurse)
    ipswich = Case.objects.get(case_ref="IPSWICH-2024").birth_unit_id

    assert _refs(client.get(reverse("pathway:case_list"), {"birth_unit": ipswich})) == ["IPSWICH-2024"]
    assert _refs(client.get(reverse("pathway:case_list"), {"year": 2023})) == ["WATFORD-2023"]
    assert _refs(client.get(reverse("pathway:case_list"), {"flagged": "yes"})) == ["LATE-2024"]


@pytest.mark.django_db
def test_list_pages_and_leaves_out_cases_entered_in_error(people: Personas, settings: Any) -> None:
    settings.CASES_PER_PAGE = 2
    cases = [_case(people, case_ref=f"P{n}", birth=datetime(2024, 1, 1 + n, 12, 0, tzinfo=LONDON)) for n in range(3)]
    services.case_mark_entered_in_error(case=cases[0], reason="duplicate", expected_version=cases[0].version,
                                        by=people.nurse)
    client = _client(people.nurse)

    first = client.get(reverse("pathway:case_list"))
    assert _refs(first) == ["P2", "P1"] and "page 1 of 1" not in first.content.decode()
    assert "2 cases" in first.content.decode()
    with_errors = client.get(reverse("pathway:case_list"), {"include_error": "on", "page": 2})
    assert _refs(with_errors) == ["P0"]


@pytest.mark.django_db
def test_clinician_list_holds_only_their_units_cases(people: Personas) -> None:
    _case(people, case_ref="AT-WATFORD")  # clinician's unit (RWG02)
    _case(people, case_ref="AT-IPSWICH", birth_unit="RDE03", centre="RM102")
    assert _refs(_client(people.clinician).get(reverse("pathway:case_list"))) == ["AT-WATFORD"]


# --- new case ----------------------------------------------------------------------------------------------


def _new_case_post(network: Any, **overrides: str) -> dict[str, str]:
    from units.models import Unit

    data = {
        "case_ref": "EOE-2026-0042", "nhs_number": "", "birth_datetime": "14/05/2026 03:10", "sex": "female",
        "gestation_weeks": "39", "gestation_days": "1", "birth_weight_g": "3250", "multiple_birth": "no",
        "birth_unit": str(Unit.objects.get(ods_code="RWG02").pk), "labour": "yes", "apgar_10": "5",
        "resus_at_10min": "yes", "lowest_ph_60min": "6.98", "base_deficit_60min": "15.5", "hie_grade": "2",
        "aeeg": "moderately_abnormal", "therapeutic_hypothermia": "yes",
        "cooling_centre": str(Unit.objects.get(ods_code="RGT01").pk),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_new_case_is_saved_audited_and_opens_its_page(people: Personas, network: Any) -> None:
    response = _client(people.nurse).post(reverse("pathway:case_create"), _new_case_post(network))

    case = Case.objects.get(case_ref="EOE-2026-0042")
    assert response.status_code == 302 and response["Location"] == reverse("pathway:case_detail", args=[case.pk])
    assert case.birth_datetime == datetime(2026, 5, 14, 3, 10, tzinfo=LONDON)
    assert case.lowest_ph_60min is not None and str(case.lowest_ph_60min) == "6.98"
    assert AuditEvent.objects.filter(object_id=str(case.pk), actor=people.nurse).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), [
    ("gestation_weeks", "50", "less than or equal to 44"),
    ("nhs_number", "9434765918", "NHS number"),
    ("birth_datetime", "31/03/2024 01:30", "does not exist"),
    ("birth_datetime", "27/10/2024 01:30", "twice"),
    ("cooling_centre", "", "cooling centre"),
])
def test_new_case_refused_names_the_field_and_rule(people: Personas, network: Any, field: str, value: str,
                                                   message: str) -> None:
    response = _client(people.nurse).post(reverse("pathway:case_create"), _new_case_post(network, **{field: value}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    group = re.search(rf'id="birth-{field}_group">(.*?)(?:_group"|</form>)', body, re.S)
    assert group and "nhsuk-error-message" in group.group(1) and message.lower() in group.group(1).lower()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_clinician_cannot_register_a_baby_of_another_unit(people: Personas, network: Any) -> None:
    from units.models import Unit

    other = {"birth_unit": str(Unit.objects.get(ods_code="RDE03").pk),
             "cooling_centre": str(Unit.objects.get(ods_code="RM102").pk)}
    response = _client(people.clinician).post(reverse("pathway:case_create"), _new_case_post(network, **other))

    assert response.status_code == 200 and not Case.objects.exists()
    assert "Select a valid choice" in response.content.decode() or "your unit" in response.content.decode()


@pytest.mark.django_db
def test_network_lead_cannot_add_cases(people: Personas) -> None:
    assert _client(people.lead).get(reverse("pathway:case_create")).status_code == 403


# --- sections, saved as you go ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_every_section_with_a_form(people: Personas) -> None:
    case = _case(people)
    body = _client(people.nurse).get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    for slug in ("birth", "referral", "cooling", "first-days", "mri", "discharge", "follow-up"):
        assert f'id="section-{slug}"' in body
        assert f'action="{_section_url(case, slug)}"' in body
    # The booklet comes from the family support log: shown, not typed in here.
    assert 'id="section-family"' in body and "Recorded from the family support log" in body
    assert _client(people.nurse).post(_section_url(case, "family"), {"family_booklet_given": "no"}).status_code == 404


@pytest.mark.django_db
def test_htmx_section_save_returns_the_section_and_refreshes_other_versions(people: Personas) -> None:
    case = _case(people)
    response = _client(people.nurse).post(_section_url(case, "cooling"), _cooling_post(case), **HTMX)

    case.refresh_from_db()
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved at" in body and 'id="section-cooling"' in body
    assert case.active_cooling_start == datetime(2024, 5, 14, 6, 40, tzinfo=LONDON)
    # the other sections' forms now carry the new version, so saving them next is not a false conflict
    assert f'value="{case.version}" id="referral-version" hx-swap-oob="true"' in body
    assert 'id="case-status" hx-swap-oob="true"' in body


@pytest.mark.django_db
def test_plain_post_saves_and_redirects_to_the_section(people: Personas) -> None:
    case = _case(people)
    response = _client(people.nurse).post(_section_url(case, "cooling"), _cooling_post(case))
    assert response.status_code == 302 and response["Location"].endswith("#cooling")


@pytest.mark.django_db
def test_section_rule_breach_is_refused_with_the_rule_named(people: Personas) -> None:
    case = _case(people)
    data = _cooling_post(case, rewarming_end="17/05/2024 06:00")  # before rewarming start
    response = _client(people.nurse).post(_section_url(case, "cooling"), data, **HTMX)

    case.refresh_from_db()
    body = response.content.decode()
    assert "nhsuk-error-message" in body and "rewarming" in body.lower()
    assert case.rewarming_end == datetime(2024, 5, 14, 3, 10, tzinfo=LONDON) + timedelta(minutes=230 + 80 * 60)


@pytest.mark.django_db
def test_second_save_of_the_same_version_is_refused_and_overwrites_nothing(people: Personas) -> None:
    case = _case(people)
    read_version = case.version
    _client(people.nurse).post(_section_url(case, "cooling"), _cooling_post(case), **HTMX)

    stale = _cooling_post(case, active_cooling_start="14/05/2024 07:45", version=str(read_version))
    response = _client(people.consultant).post(_section_url(case, "cooling"), stale, **HTMX)

    case.refresh_from_db()
    body = response.content.decode()
    assert "Not saved: someone else changed this case" in body
    assert 'value="14/05/2024 07:45"' in body  # the second user's typing is kept on screen
    assert case.active_cooling_start == datetime(2024, 5, 14, 6, 40, tzinfo=LONDON)


@pytest.mark.django_db
def test_view_only_user_gets_no_forms_and_cannot_post(people: Personas) -> None:
    case = _case(people)
    client = _client(people.lead)
    body = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "<form method=\"post\" action=\"/cases/" not in body
    assert client.post(_section_url(case, "cooling"), _cooling_post(case)).status_code == 404


# --- history and entered in error -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_shows_who_changed_what_old_to_new(people: Personas) -> None:
    case = _case(people)
    _client(people.nurse).post(_section_url(case, "cooling"), _cooling_post(case))
    body = _client(people.consultant).get(reverse("pathway:case_history", args=[case.pk])).content.decode()

    assert "Active cooling start" in body or "active cooling" in body.lower()
    assert "14/05/2024 06:30" in body and "14/05/2024 06:40" in body
    assert people.nurse.get_full_name() in body


@pytest.mark.django_db
def test_entered_in_error_keeps_the_case_and_freezes_it(people: Personas) -> None:
    case = _case(people)
    client = _client(people.nurse)
    url = reverse("pathway:case_entered_in_error", args=[case.pk])

    refused = client.post(url, {"entered_in_error_reason": "", "version": case.version})
    assert "Give the reason" in refused.content.decode()
    client.post(url, {"entered_in_error_reason": "Duplicate of EOE-2024-0001", "version": case.version})

    case.refresh_from_db()
    assert case.entered_in_error and case.entered_in_error_reason == "Duplicate of EOE-2024-0001"
    assert Case.objects.filter(pk=case.pk).exists()
    detail = client.get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "Entered in error" in detail and f'action="{_section_url(case, "cooling")}"' not in detail
    assert client.post(_section_url(case, "cooling"), _cooling_post(case)).status_code == 302
    case.refresh_from_db()
    assert case.active_cooling_start != datetime(2024, 5, 14, 6, 40, tzinfo=LONDON)


@pytest.mark.django_db
def test_entered_in_error_page_posts_once_and_says_where_the_case_is_left_out(people: Personas) -> None:
    case = _case(people, case_ref="EOE-EIE")
    client = _client(people.nurse)
    url, page = reverse("pathway:case_entered_in_error", args=[case.pk]), reverse("pathway:case_detail", args=[case.pk])
    form = client.get(url).content.decode()
    assert f'action="{url}"' in form and f'href="{page}">Cancel</a>' in form

    done = client.post(url, {"entered_in_error_reason": "Duplicate", "version": case.version}, follow=True)
    assert done.redirect_chain == [(page, 302)]
    assert ("EOE-EIE marked as entered in error. It is kept for the record and no longer appears in the case list "
            "or the counts.") in done.content.decode()
    again = client.get(url, follow=True)
    assert again.redirect_chain == [(page, 302)]
    assert "EOE-EIE is already marked as entered in error" in again.content.decode()


@pytest.mark.django_db
def test_list_filters_and_pages_refresh_only_the_case_results(people: Personas, settings: Any) -> None:
    settings.CASES_PER_PAGE = 1
    for n in range(2):
        _case(people, case_ref=f"P{n}", birth=datetime(2024, 1, 1 + n, 12, 0, tzinfo=LONDON))
    url = reverse("pathway:case_list")
    body = re.sub(r"\s+", " ", _client(people.nurse).get(url, {"page": 2}).content.decode())
    assert f'aria-label="Filter cases" hx-post="{url}" hx-trigger="change, submit" hx-target="#case-results"' in body
    assert f'<a class="nhsuk-link" href="{url}">Clear filters</a>' in body
    assert 'hx-boost="true" hx-target="#case-results" hx-select="#case-results"' in body
    assert 'href="?page=1" rel="prev"' in body and "Page 1 of 2" in body and 'rel="next"' not in body
