"""POP screens: the one-page form with typed UK times, the list with search, filters and paging, the record
page, the history and "entered in error"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.personas import Personas
from pop import services
from pop.models import PopRecord
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db

FORM = {
    "case_ref": "POP-2024-0001", "nhs_number": "", "birth_datetime": "14/05/2024 03:10", "sex": "female",
    "gestation_weeks": "26", "gestation_days": "4", "birth_weight_g": "850", "multiple_birth": "no",
    "labour": "yes", "steroids_doses": "2", "steroids_last_dose_datetime": "12/05/2024 22:00",
    "magnesium_start_datetime": "14/05/2024 00:30", "antibiotics_start_datetime": "",
    "cord_clamping_seconds": "60", "first_temp_c": "36.5", "first_temp_datetime": "14/05/2024 04:10",
    "first_breast_milk_datetime": "",
}


def text(response: object) -> str:
    return re.sub(r"\s+", " ", response.content.decode())  # type: ignore[attr-defined]


def test_clinician_creates_a_record_at_their_unit(client: Client, people: Personas) -> None:
    client.force_login(people.clinician)
    watford = people.clinician.memberships.get().unit
    response = client.post(reverse("pop:record_create"), {**FORM, "birth_unit": watford.pk})
    record = PopRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("pop:record_detail", args=[record.pk])
    assert record.birth_datetime.isoformat() == "2024-05-14T02:10:00+00:00"
    assert record.created_by == people.clinician
    page = text(client.get(response["Location"]))
    assert "POP-2024-0001" in page and "Magnesium sulphate within 24 hours before birth" in page
    assert "Not met" in page  # no antibiotics in labour, no breast milk yet
    assert "Born in a hospital with a neonatal intensive care unit" in page


def test_errors_name_the_field_and_nothing_is_saved(client: Client, people: Personas) -> None:
    client.force_login(people.nurse)
    watford = people.clinician.memberships.get().unit
    bad = {**FORM, "birth_unit": watford.pk, "gestation_weeks": "35", "first_temp_c": "42",
           "magnesium_start_datetime": "14/05/2024 05:00", "first_temp_datetime": "31/03/2024 01:30"}
    page = text(client.post(reverse("pop:record_create"), bad))
    assert PopRecord.objects.count() == 0
    assert "There is a problem" in page and "before 34+0 weeks" in page
    assert "less than or equal to 41" in page
    assert "must be at or before the date and time of birth" in page
    assert "does not exist in UK time" in page


def test_a_clinician_cannot_record_a_baby_at_another_unit(client: Client, people: Personas) -> None:
    client.force_login(people.clinician)
    ipswich = people.outsider.memberships.get().unit
    response = client.post(reverse("pop:record_create"), {**FORM, "birth_unit": ipswich.pk})
    assert response.status_code == 200 and PopRecord.objects.count() == 0
    assert "Select a valid choice" in text(response)


def test_a_lead_cannot_add_records(client: Client, people: Personas) -> None:
    client.force_login(people.lead)
    assert client.get(reverse("pop:record_create")).status_code == 403


def test_edit_saves_with_the_version_and_refuses_a_stale_form(client: Client, people: Personas) -> None:
    record = services.pop_create(values=pop_values(case_ref="POP-E"), by=people.nurse)
    client.force_login(people.clinician)
    form = text(client.get(reverse("pop:record_edit", args=[record.pk])))
    assert 'value="14/05/2024 03:10"' in form and 'name="version" value="1"' in form
    data = {**FORM, "case_ref": "POP-E", "birth_unit": record.birth_unit_id, "version": "1"}
    assert client.post(reverse("pop:record_edit", args=[record.pk]), data).status_code == 302
    record.refresh_from_db()
    assert record.version == 2 and record.cord_clamping_seconds == 60
    page = text(client.post(reverse("pop:record_edit", args=[record.pk]), {**data, "cord_clamping_seconds": "10"}))
    assert "after you opened it" in page
    record.refresh_from_db()
    assert record.cord_clamping_seconds == 60


def test_history_lists_each_change(client: Client, people: Personas) -> None:
    record = services.pop_create(values=pop_values(case_ref="POP-H"), by=people.nurse)
    services.pop_update(record=record, values={"cord_clamping_seconds": 20}, expected_version=1, by=people.clinician)
    client.force_login(people.clinician)
    page = text(client.get(reverse("pop:record_history", args=[record.pk])))
    assert "Carl Clinician · Updated" in page and "Cord clamped at (seconds)" in page
    assert "<td class=\"nhsuk-table__cell\">90</td><td class=\"nhsuk-table__cell\">20</td>" in page
    assert "Nina Nurse · Created" in page


def test_history_shows_uk_times_and_labels_older_rows_too(client: Client, people: Personas) -> None:
    from core.models import AuditEvent

    record = services.pop_create(values=pop_values(case_ref="POP-T"), by=people.nurse)
    # A row written before the one UK audit format: ISO 8601 with the offset.
    AuditEvent.objects.create(actor=people.nurse, action="update", object_type=services.OBJECT_TYPE,
                              object_id=str(record.pk), summary="Changed",
                              changes={"magnesium_start_datetime": ["2024-05-13T21:10+01:00", ""], "sex": ["male", ""]})
    client.force_login(people.nurse)
    page = text(client.get(reverse("pop:record_history", args=[record.pk])))
    assert page.count("13/05/2024 21:10") == 2  # the old row, and the new one written by the create
    assert "2024-05-13T21:10" not in page
    assert "<td class=\"nhsuk-table__cell\">Male</td>" in page and ">male<" not in page
    assert "Not recorded" in page


def test_entered_in_error_hides_the_record_from_the_list(client: Client, people: Personas) -> None:
    record = services.pop_create(values=pop_values(case_ref="POP-X"), by=people.nurse)
    client.force_login(people.nurse)
    url = reverse("pop:record_entered_in_error", args=[record.pk])
    assert "Give the reason" in text(client.post(url, {"entered_in_error_reason": "", "version": "1"}))
    assert client.post(url, {"entered_in_error_reason": "Wrong baby", "version": "1"}).status_code == 302
    assert AuditEvent.objects.filter(object_type="pop.record", action="entered_in_error").count() == 1
    assert ">POP-X</a>" not in text(client.get(reverse("pop:record_list")))
    assert ">POP-X</a>" in text(client.get(reverse("pop:record_list") + "?include_error=on"))
    assert client.get(reverse("pop:record_edit", args=[record.pk])).status_code == 302


def test_list_search_filters_and_paging(client: Client, people: Personas, settings: object) -> None:
    settings.CASES_PER_PAGE = 2  # type: ignore[attr-defined]
    for n in range(3):
        services.pop_create(values=pop_values(case_ref=f"POP-L{n}"), by=people.nurse)
    services.pop_create(values=pop_values(case_ref="POP-ADD", birth_unit="RGT01", nhs_number="9434765919"),
                        by=people.nurse)
    client.force_login(people.nurse)
    url = reverse("pop:record_list")
    first = text(client.get(url))
    assert "4 records, page 1 of 2" in first
    assert "POP-ADD" in text(client.get(url + "?q=943 476 5919", follow=True))
    by_unit = text(client.get(url, {"birth_unit": people.consultant.memberships.get().unit.pk}))
    assert "1 record" in by_unit and "POP-ADD" in by_unit
    assert "4 records" in text(client.get(url, {"year": "2023"}))  # not a year with records: ignored
    assert "4 records" in text(client.get(url, {"year": "2024"}))


def test_entered_in_error_page_says_where_the_record_is_left_out(client: Client, people: Personas) -> None:
    record = services.pop_create(values=pop_values(case_ref="POP-EIE"), by=people.nurse)
    client.force_login(people.nurse)
    url = reverse("pop:record_entered_in_error", args=[record.pk])
    page = reverse("pop:record_detail", args=[record.pk])
    assert f'href="{page}">Cancel</a>' in text(client.get(url))
    done = client.post(url, {"entered_in_error_reason": "Wrong baby", "version": "1"}, follow=True)
    assert ("POP-EIE marked as entered in error. It is kept for the record and no longer appears in the list or "
            "the POP figures.") in text(done)
    assert "POP-EIE is already marked as entered in error" in text(client.get(url, follow=True))


def test_list_filters_and_pages_refresh_only_the_pop_results(client: Client, people: Personas,
                                                              settings: object) -> None:
    settings.CASES_PER_PAGE = 1  # type: ignore[attr-defined]
    for n in range(2):
        services.pop_create(values=pop_values(case_ref=f"POP-P{n}"), by=people.nurse)
    client.force_login(people.nurse)
    body = text(client.get(reverse("pop:record_list")))
    assert f'aria-label="Filter POP records" hx-post="{reverse("pop:record_list")}"' in body
    assert 'hx-target="#pop-results" hx-select="#pop-results"' in body
    assert 'href="?page=2" rel="next"' in body and "Page 2 of 2" in body and 'rel="prev"' not in body
