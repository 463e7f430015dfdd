"""Timeline page and temperature entry over HTTP: access (404 for the rest), form errors, derived values,
history, HTMX partials."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pathway.models import Case, TemperatureObservation

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="pathway.case", object_id=str(case.pk)).order_by("id"))


@pytest.fixture
def case(people: Personas) -> Case:
    """Born 14/05/2024 03:10 at Watford, cooled at Addenbrooke's; arrived 07:10; lowest 33.4, arrival 33.6."""
    return services.case_create(values=cooled_case_values(case_ref="HIE-0001"), by=people.nurse)


@pytest.fixture
def late_case(people: Personas) -> Case:
    values = cooled_case_values(case_ref="HIE-LATE")
    birth = values["birth_datetime"]
    values.update(passive_cooling_start=None, active_cooling_start=birth + timedelta(minutes=361),
                  target_temp_reached=birth + timedelta(minutes=380), depart_referring_datetime=None,
                  arrive_centre_datetime=None, arrival_temp_c=Decimal("34.5"),
                  rewarming_start=birth + timedelta(minutes=380 + 72 * 60),
                  rewarming_end=birth + timedelta(minutes=380 + 80 * 60))
    return services.case_create(values=values, by=people.nurse)


def timeline_url(case: Case) -> str:
    return reverse("pathway:case_timeline", args=[case.pk])


def add_url(case: Case) -> str:
    return reverse("pathway:temperature_add", args=[case.pk])


# --- Timeline -------------------------------------------------------------------------------------------


def test_timeline_shows_steps_minutes_and_deadline(people: Personas, case: Case) -> None:
    response = client_for(people.consultant).get(timeline_url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "14/05/2024 03:10" in body  # birth
    assert "230 min (3:50)" in body  # target temperature
    assert "6-hour deadline" in body
    assert "14/05/2024 09:10" in body
    assert "No breaches of the pathway standards recorded." in body
    assert "<caption" in body


def test_timeline_describes_breaches_in_text(people: Personas, late_case: Case) -> None:
    response = client_for(people.nurse).get(timeline_url(late_case))
    timeline = response.context["timeline"]
    assert [c.code for c in timeline.breaches] == ["cooling_started_6h", "target_temp_6h", "arrival_temp_in_range"]
    body = response.content.decode()
    assert "app-breach" in body
    assert "Breach – Cooling started within 6 hours:" in body
    assert "Cooling started 361 min (6:01) after time zero: later than 6 hours" in body
    assert "Core temperature on arrival 34.5 °C is outside 33.0–34.0 °C" in body
    assert "Not recorded" in body  # departure and arrival
    assert {s.key for s in timeline.not_recorded} >= {"depart_referring_datetime", "arrive_centre_datetime"}


@pytest.mark.parametrize("persona", ["clinician", "consultant"])
def test_timeline_of_a_case_the_user_cannot_reach_is_404(people: Personas, persona: str) -> None:
    other = services.case_create(values=cooled_case_values(case_ref="IPS-1", birth_unit="RDE03", centre="RM102"),
                                 by=people.nurse)
    response = client_for(getattr(people, persona)).get(timeline_url(other))
    assert response.status_code == 404
    assert b"IPS-1" not in response.content


def test_outsider_guessing_the_url_gets_404(people: Personas, case: Case) -> None:
    response = client_for(people.outsider).get(timeline_url(case))
    assert response.status_code == 404
    assert b"HIE-0001" not in response.content
    missing = client_for(people.outsider).get(reverse("pathway:case_timeline", args=[case.pk + 999]))
    assert missing.status_code == 404


def test_timeline_needs_a_login(case: Case) -> None:
    response = Client().get(timeline_url(case))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_add_form_is_shown_to_editors_only(people: Personas, case: Case) -> None:
    assert "Add temperature" in client_for(people.clinician).get(timeline_url(case)).content.decode()
    lead_page = client_for(people.lead).get(timeline_url(case))
    assert lead_page.status_code == 200
    assert lead_page.context["temperature_form"] is None
    assert "Add temperature" not in lead_page.content.decode()


# --- Adding temperatures ------------------------------------------------------------------------------------


@pytest.fixture
def untyped(people: Personas) -> Case:
    """As `case`, with no lowest, arrival or target temperature typed: they follow the readings."""
    values = cooled_case_values(case_ref="HIE-0003", lowest_temp_before_arrival_c=None, arrival_temp_c=None,
                                target_temp_reached=None)
    return services.case_create(values=values, by=people.nurse)


def test_add_temperature_updates_derived_values_and_history(people: Personas, untyped: Case) -> None:
    case = untyped
    before = len(history(case))
    client = client_for(people.clinician)
    response = client.post(add_url(case), {"observed_at": "14/05/2024 05:00", "temp_c": "32.6", "site": "rectal"})
    assert response.status_code == 302
    assert response["Location"] == timeline_url(case)

    [reading] = TemperatureObservation.objects.filter(case=case)
    assert reading.temp_c == Decimal("32.6")
    assert reading.site == "rectal"
    assert reading.recorded_by == people.clinician
    saved = Case.objects.get(pk=case.pk)
    assert saved.lowest_temp_before_arrival_c == Decimal("32.6")  # was empty
    assert saved.arrival_temp_c is None  # no reading within an hour of arrival
    assert saved.version == case.version + 1

    added, changed = history(case)[before:]
    assert added.action == "temperature_add"
    assert added.actor == people.clinician
    assert "32.6" in added.summary
    assert changed.action == "update"
    assert changed.changes == {"lowest_temp_before_arrival_c": ["", "32.6"]}


def test_add_temperature_keeps_a_typed_value_and_shows_both(people: Personas, case: Case) -> None:
    client_for(people.clinician).post(add_url(case), {"observed_at": "14/05/2024 05:00", "temp_c": "32.6",
                                                      "site": "rectal"})
    saved = Case.objects.get(pk=case.pk)
    assert saved.lowest_temp_before_arrival_c == Decimal("33.4")  # typed: kept (issue 13)
    assert saved.version == case.version
    [found] = services.reading_disagreements(saved)
    assert (found.field, found.recorded, found.from_readings) == ("lowest_temp_before_arrival_c", "33.4 °C",
                                                                 "32.6 °C")


def test_add_temperature_after_arrival_sets_the_arrival_temperature(people: Personas, untyped: Case) -> None:
    case = untyped
    # Arrived 07:10 BST; the first core reading within the hour is the arrival temperature.
    client_for(people.nurse).post(add_url(case), {"observed_at": "14/05/2024 07:30", "temp_c": "34.2",
                                                 "site": "oesophageal"})
    assert Case.objects.get(pk=case.pk).arrival_temp_c == Decimal("34.2")


def test_add_temperature_with_htmx_returns_the_partial(people: Personas, case: Case) -> None:
    response = client_for(people.nurse).post(
        add_url(case), {"observed_at": "14/05/2024 05:00", "temp_c": "31.8", "site": "rectal"}, **HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "pathway/partials/temperatures.html"
    assert response["HX-Trigger"] == "temperatures-changed"
    body = response.content.decode()
    assert 'id="temperatures"' in body
    assert "Severely overcooled (below 32.0 °C)" in body
    assert "<html" not in body
    assert response.context["temperature_form"].is_bound is False  # a fresh form for the next reading


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"temp_c": "42.1"}, "temp_c", "Temperature (°C) must be between 28.0 and 42.0 °C"),
    ({"temp_c": "27.9"}, "temp_c", "Temperature (°C) must be between 28.0 and 42.0 °C"),
    ({"temp_c": "warm"}, "temp_c", "Enter the temperature (°C) as a number"),
    ({"temp_c": "33.55"}, "temp_c", "one decimal place"),
    ({"observed_at": "14/05/2024 03:00"}, "observed_at", "must be at or after birth"),  # birth 03:10
    ({"observed_at": "31/03/2024 01:30"}, "observed_at", "does not exist in UK time"),
    ({"observed_at": "27/10/2024 01:30"}, "observed_at", "happened twice in UK time"),
    ({"observed_at": "yesterday"}, "observed_at", "is not a date and time"),
    ({"observed_at": "01/01/2099 10:00"}, "observed_at", "cannot be in the future"),
    ({"site": "ear"}, "site", "Choose where the temperature was taken"),
    ({"site": ""}, "site", "Choose where the temperature was taken"),
])
def test_invalid_temperature_shows_the_field_error_and_writes_nothing(
        people: Personas, case: Case, data: dict[str, str], field: str, message: str) -> None:
    before = len(history(case))
    post = {"observed_at": "14/05/2024 05:00", "temp_c": "33.5", "site": "rectal", **data}
    response = client_for(people.nurse).post(add_url(case), post)
    assert response.status_code == 200
    form = response.context["temperature_form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "nhsuk-error-summary" in response.content.decode()
    assert not TemperatureObservation.objects.exists()
    assert len(history(case)) == before
    assert Case.objects.get(pk=case.pk).version == case.version


def test_invalid_temperature_with_htmx_returns_the_partial_with_errors(people: Personas, case: Case) -> None:
    response = client_for(people.nurse).post(
        add_url(case), {"observed_at": "14/05/2024 05:00", "temp_c": "45", "site": "rectal"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "nhsuk-form-group--error" in response.content.decode()
    assert not TemperatureObservation.objects.exists()


def test_ambiguous_time_with_its_offset_is_accepted(people: Personas, case: Case) -> None:
    client_for(people.nurse).post(add_url(case), {"observed_at": "2024-10-27T01:30+00:00", "temp_c": "36.8",
                                                 "site": "axilla"})
    reading = TemperatureObservation.objects.get()
    assert reading.observed_at.isoformat() == "2024-10-27T01:30:00+00:00"


@pytest.mark.parametrize("persona", ["lead", "outsider"])
def test_who_cannot_edit_cannot_add_temperatures(people: Personas, case: Case, persona: str) -> None:
    response = client_for(getattr(people, persona)).post(
        add_url(case), {"observed_at": "14/05/2024 05:00", "temp_c": "33.5", "site": "rectal"})
    assert response.status_code == 404
    assert not TemperatureObservation.objects.exists()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_adding_needs_post(people: Personas, case: Case) -> None:
    assert client_for(people.nurse).get(add_url(case)).status_code == 405


# --- Removing temperatures ----------------------------------------------------------------------------------


def reading_of(case: Case, people: Personas, temp: str = "32.6") -> TemperatureObservation:
    return services.temperature_add(case=case, observed_at=case.birth_datetime + timedelta(minutes=110),
                                    temp_c=Decimal(temp), site="rectal", by=people.nurse)


def remove_url(case: Case, reading: TemperatureObservation) -> str:
    return reverse("pathway:temperature_remove", args=[case.pk, reading.pk])


def test_remove_temperature_recomputes_and_writes_history(people: Personas, untyped: Case) -> None:
    case = untyped
    reading = reading_of(case, people)
    assert Case.objects.get(pk=case.pk).lowest_temp_before_arrival_c == Decimal("32.6")
    response = client_for(people.consultant).post(remove_url(case, reading))
    assert response.status_code == 302
    assert response["Location"] == timeline_url(case)
    assert not TemperatureObservation.objects.exists()
    removed = [e for e in history(case) if e.action == "temperature_remove"]
    assert len(removed) == 1
    assert removed[0].actor == people.consultant


def test_remove_with_htmx_returns_the_partial(people: Personas, case: Case) -> None:
    reading = reading_of(case, people)
    response = client_for(people.nurse).post(remove_url(case, reading), **HTMX)
    assert response.status_code == 200
    assert "No temperature readings recorded." in response.content.decode()


def test_remove_an_observation_of_another_case_is_404(people: Personas, case: Case) -> None:
    other = services.case_create(values=cooled_case_values(case_ref="HIE-0002"), by=people.nurse)
    reading = reading_of(other, people)
    response = client_for(people.nurse).post(reverse("pathway:temperature_remove", args=[case.pk, reading.pk]))
    assert response.status_code == 404
    assert TemperatureObservation.objects.filter(pk=reading.pk).exists()


@pytest.mark.parametrize("persona", ["lead", "outsider"])
def test_who_cannot_edit_cannot_remove(people: Personas, case: Case, persona: str) -> None:
    reading = reading_of(case, people)
    response = client_for(getattr(people, persona)).post(remove_url(case, reading))
    assert response.status_code == 404
    assert TemperatureObservation.objects.filter(pk=reading.pk).exists()


def test_timeline_lists_readings_with_flags(people: Personas, case: Case) -> None:
    reading_of(case, people, "31.9")
    response = client_for(people.lead).get(timeline_url(case))
    [row] = response.context["temperatures"]
    assert row.severe is True
    body = response.content.decode()
    assert "Severely overcooled (below 32.0 °C)" in body
    assert "14/05/2024 05:00" in body
    assert "<svg" in body
    assert "Remove" not in body  # the lead may not edit


def test_timeline_of_a_baby_not_cooled_has_no_standards(people: Personas) -> None:
    values = cooled_case_values(case_ref="HIE-NC", therapeutic_hypothermia="no", cooling_centre=None)
    for name in ("passive_cooling_start", "active_cooling_start", "core_monitoring_start", "target_temp_reached",
                 "depart_referring_datetime", "arrive_centre_datetime", "rewarming_start", "rewarming_end",
                 "lowest_temp_before_arrival_c", "arrival_temp_c", "mri_datetime"):
        values[name] = None
    values.update(transport_cooling="", mri_performed="")
    case = services.case_create(values=values, by=people.nurse)
    response = client_for(people.clinician).get(timeline_url(case))
    assert response.status_code == 200
    assert response.context["timeline"].checks == []
    assert "Pathway standards" not in response.content.decode()


def test_timeline_of_a_case_entered_in_error_says_so(people: Personas, case: Case) -> None:
    services.case_mark_entered_in_error(case=case, reason="Duplicate of HIE-0002", expected_version=1,
                                        by=people.nurse)
    response = client_for(people.nurse).get(timeline_url(case))
    assert response.status_code == 200
    assert "Entered in error" in response.content.decode()
    assert response.context["timeline"].not_recorded == []
