"""The doors to a case entered in error that `test_entered_in_error.py` does not walk (issue 12: every write
refused with a message, nothing changed): "use the value from the readings", a radiologist's own MRI section
through the API (403) and its screen (which says why), and the POP record's edit screen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.tests.conftest import token_client
from core.exceptions import EnteredInError
from core.testing.personas import Personas, with_section_roles
from pathway import services
from pathway.models import Case
from pathway.tests.test_one_truth import TYPED, add_readings, typed_case
from pop import services as pop_services
from pop.models import PopRecord
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db
MRI_CHANGE = {"mri_injury_pattern": "watershed", "mri_sequences": ["t1", "t2", "dwi", "mrs"]}


def _mark(case: Case, by: Any) -> Case:
    fresh = Case.objects.get(pk=case.pk)
    return services.case_mark_entered_in_error(case=fresh, reason="Wrong baby", expected_version=fresh.version,
                                               by=by)


def test_use_the_readings_is_refused(people: Personas) -> None:
    case = typed_case(people)
    add_readings(case, people.nurse)
    marked = _mark(case, people.nurse)
    with pytest.raises(EnteredInError):
        services.case_use_readings(case=marked, field="arrival_temp_c", expected_version=marked.version,
                                   by=people.nurse)
    client = Client()
    client.force_login(people.nurse)
    response = client.post(f"/cases/{marked.pk}/use-readings/arrival_temp_c/", {"version": marked.version},
                           follow=True)
    assert "Not saved: " in response.content.decode() and "can no longer be changed" in response.content.decode()
    saved = Case.objects.get(pk=marked.pk)
    assert (saved.arrival_temp_c, saved.version) == (TYPED["arrival_temp_c"], marked.version)


def test_a_radiologists_mri_section_is_refused_through_the_api_and_the_screen(people: Personas) -> None:
    radiologist = with_section_roles(people).radiologist
    assert radiologist is not None
    case = typed_case(people)  # born and cooled at Addenbrooke's, the radiologist's unit
    marked = _mark(case, people.nurse)
    api = token_client(radiologist)
    response = api.patch(f"/api/v1/cases/{marked.pk}/", {"version": marked.version, **MRI_CHANGE}, format="json")
    assert response.status_code in (403, 409) and response.json()["errors"][0]["message"]
    screen = Client()
    screen.force_login(radiologist)
    posted = screen.post(reverse("pathway:case_section", args=[marked.pk, "mri"]),
                         {"version": marked.version, "mri_injury_pattern": "watershed"}, follow=True)
    assert "Not saved: " in posted.content.decode() and "can no longer be changed" in posted.content.decode()
    assert Case.objects.get(pk=marked.pk).version == marked.version
    assert Case.objects.get(pk=marked.pk).mri_injury_pattern != "watershed"


def test_the_pop_edit_screen_refuses_with_a_message(people: Personas) -> None:
    record = pop_services.pop_create(values=pop_values(case_ref="POP-ERR"), by=people.nurse)
    record = pop_services.pop_mark_entered_in_error(record=record, reason="Wrong baby",
                                                    expected_version=record.version, by=people.nurse)
    client = Client()
    client.force_login(people.nurse)
    response = client.post(reverse("pop:record_edit", args=[record.pk]), {"version": record.version}, follow=True)
    assert "was marked as entered in error: it can no longer be changed" in response.content.decode()
    assert PopRecord.objects.get(pk=record.pk).version == record.version
