"""A record marked entered in error refuses every write, whichever door it comes through: case sections,
temperatures, the family support log, the API, import rows, POP records (issue 12). The refusal is the
services' (`pathway.services.refuse_if_entered_in_error`), so a door that forgot to check still cannot write."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.errors import ApiValidationError
from api.views import _through_service
from core.exceptions import DomainError, EnteredInError
from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from families import services as family_services
from pathway import csv_io, services
from pathway.models import Case, TemperatureObservation
from pathway.tests.test_csv_io import csv_text, row
from pop import services as pop_services
from pop.models import PopRecord
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db
REFUSED = "HIE-0001 was marked as entered in error: it can no longer be changed"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(people: Personas) -> Case:
    created = services.case_create(values=cooled_case_values(case_ref="HIE-0001"), by=people.nurse)
    services.temperature_add(case=created, observed_at=created.birth_datetime + timedelta(minutes=100),
                             temp_c=Decimal("34.0"), site="rectal", by=people.nurse)
    return Case.objects.get(pk=created.pk)


@pytest.fixture
def marked(case: Case, people: Personas) -> Case:
    """The same case object a screen or task may still hold, after someone marked the row entered in error."""
    services.case_mark_entered_in_error(case=Case.objects.get(pk=case.pk), reason="Wrong baby",
                                        expected_version=case.version, by=people.nurse)
    return case  # stale on purpose: entered_in_error is False on this object


def _unchanged(case: Case) -> None:
    saved = Case.objects.get(pk=case.pk)
    assert saved.entered_in_error and saved.version == case.version + 1
    assert TemperatureObservation.objects.filter(case=case).count() == 1


# --- The services --------------------------------------------------------------------------------------------


def test_a_case_update_from_a_stale_object_is_refused(people: Personas, marked: Case) -> None:
    with pytest.raises(EnteredInError, match=REFUSED):
        services.case_update(case=marked, values={"hie_grade": 3}, expected_version=None, by=people.nurse)
    _unchanged(marked)


def test_temperatures_can_be_neither_added_nor_removed(people: Personas, marked: Case) -> None:
    with pytest.raises(EnteredInError, match=REFUSED):
        services.temperature_add(case=marked, observed_at=marked.birth_datetime + timedelta(minutes=200),
                                 temp_c=Decimal("33.5"), site="rectal", by=people.nurse)
    with pytest.raises(EnteredInError, match=REFUSED):
        services.temperature_remove(observation=TemperatureObservation.objects.get(case=marked), by=people.nurse)
    _unchanged(marked)


def test_the_family_support_log_refuses_every_write(people: Personas, marked: Case) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="entered in error"):
        family_services.support_log_update(case=marked, values={"booklet_given_on": date(2024, 5, 20)},
                                           expected_version=None, by=people.nurse)
    with pytest.raises(DomainError, match="entered in error"):
        family_services.contact_add(case=marked, contacted_on=date(2024, 5, 20), by_name="Sister Jones",
                                    mode="phone", by=people.nurse)
    assert AuditEvent.objects.count() == before
    assert family_services.support_log_for(marked) is None


def test_a_pop_record_refuses_a_write_from_a_stale_object(people: Personas) -> None:
    record = pop_services.pop_create(values=pop_values(case_ref="POP-0001"), by=people.nurse)
    pop_services.pop_mark_entered_in_error(record=PopRecord.objects.get(pk=record.pk), reason="Wrong baby",
                                           expected_version=1, by=people.nurse)
    with pytest.raises(EnteredInError, match="POP-0001 was marked as entered in error"):
        pop_services.pop_update(record=record, values={"cord_clamping_seconds": 10}, expected_version=None,
                                by=people.nurse)
    assert PopRecord.objects.get(pk=record.pk).version == 2


# --- The API -------------------------------------------------------------------------------------------------


def test_the_api_answers_409_naming_the_refusal(people: Personas, case: Case) -> None:
    from api.tests.conftest import token_client

    client = token_client(people.nurse)
    services.case_mark_entered_in_error(case=case, reason="Wrong baby", expected_version=case.version,
                                        by=people.nurse)
    response = client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version + 1, "hie_grade": 3},
                            format="json")
    assert response.status_code == 409
    assert "entered in error" in response.json()["errors"][0]["message"]
    assert Case.objects.get(pk=case.pk).hie_grade == case.hie_grade


def test_the_api_passes_the_services_refusal_on_as_a_conflict(people: Personas, marked: Case) -> None:
    """Marked between the API's own check and the service call: still a 409 (DomainError), never a 400."""
    with pytest.raises(DomainError) as caught:
        _through_service(services.case_update, judged={}, case=marked, values={"hie_grade": 3},
                         expected_version=None, by=people.nurse)
    assert not isinstance(caught.value, ApiValidationError)
    assert str(caught.value) == REFUSED


# --- Import rows ---------------------------------------------------------------------------------------------


def test_an_import_row_for_a_case_marked_meanwhile_rolls_the_file_back(people: Personas, case: Case) -> None:
    parsed = csv_io.parse(csv_text(row(case_ref="HIE-0001", hie_grade="3"), row(case_ref="HIE-0002")))
    assert not parsed.errors
    services.case_mark_entered_in_error(case=case, reason="Wrong baby", expected_version=case.version,
                                        by=people.nurse)
    result = csv_io._save_all_or_nothing(csv_io.HIE, parsed.rows, people.nurse)
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [(2, "case_ref", "HIE-0001", REFUSED)]
    assert not Case.objects.filter(case_ref="HIE-0002").exists()


# --- The screens ---------------------------------------------------------------------------------------------


def test_a_case_section_save_shows_the_refusal(people: Personas, marked: Case) -> None:
    url = reverse("pathway:case_section", args=[marked.pk, "follow-up"])
    response = _client(people.nurse).post(url, {"version": str(marked.version + 1), "followup_2y": "unknown",
                                                "followup_2y_date": ""}, follow=True)
    assert "Not saved: " + REFUSED in response.content.decode()
    _unchanged(marked)


def test_the_temperature_screen_shows_the_refusal(people: Personas, marked: Case) -> None:
    client = _client(people.nurse)
    added = client.post(reverse("pathway:temperature_add", args=[marked.pk]),
                        {"observed_at": "14/05/2024 07:30", "temp_c": "34.2", "site": "rectal"})
    assert "it can no longer be changed" in added.content.decode()
    reading = TemperatureObservation.objects.get(case=marked)
    removed = client.post(reverse("pathway:temperature_remove", args=[marked.pk, reading.pk]), follow=True)
    assert "it can no longer be changed" in removed.content.decode()
    _unchanged(marked)


def test_the_family_log_screen_refuses_with_a_message(people: Personas, marked: Case) -> None:
    response = _client(people.nurse).post(reverse("families:contact_add", args=[marked.pk]), {
        "contacted_on": "20/05/2024", "by_name": "Sister Jones", "mode": "phone"})
    assert response.status_code == 403
    assert family_services.support_log_for(marked) is None
