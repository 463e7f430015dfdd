"""The doors to a case entered in error that `test_entered_in_error.py` does not walk (issue 12: every write
refused with a message, nothing changed): "use the value from the readings", a section role's own section
(radiologist: MRI, transport team: referral and transport) through the API (409 with the message every role
gets) and the radiologist's screen (which says why), and the POP record's edit screen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.tests.conftest import token_client
from core.exceptions import EnteredInError
from core.testing.personas import Personas, with_section_roles
from pathway import services
from pathway.access import role_sections
from pathway.models import Case
from pathway.tests.test_one_truth import TYPED, add_readings, typed_case
from pop import services as pop_services
from pop.models import PopRecord
from pop.tests.factories import pop_values
from units.models import Unit

pytestmark = pytest.mark.django_db
MRI_CHANGE = {"mri_injury_pattern": "watershed", "mri_sequences": ["t1", "t2", "dwi", "mrs"]}
TRANSPORT_CHANGE = {"referral_decision": "cool", "transport_team_arrived_datetime": "2024-05-14T05:00+01:00"}


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


def _frozen_api_answer(client: Any, case: Case, change: dict[str, Any]) -> tuple[int, str]:
    response = client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, **change}, format="json")
    return response.status_code, response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("role", "change"), [("radiologist", MRI_CHANGE), ("transport", TRANSPORT_CHANGE)])
def test_a_section_roles_api_write_is_the_same_409_as_everyone_elses(people: Personas, role: str,
                                                                     change: dict[str, Any]) -> None:
    section_role = getattr(with_section_roles(people), role)
    pandr = Unit.objects.get(ods_code="RGT-PANDR")  # the transport team reaches the cases its service moved
    case = typed_case(people, transport_service=pandr)  # born and cooled at Addenbrooke's, the radiologist's unit
    assert role_sections(section_role, case)  # their section of this case, before the mark
    marked = _mark(case, people.nurse)
    nurse_answer = _frozen_api_answer(token_client(people.nurse), marked, change)
    assert nurse_answer == (409, "This case was marked as entered in error: it can no longer be changed")
    assert _frozen_api_answer(token_client(section_role), marked, change) == nurse_answer
    saved = Case.objects.get(pk=marked.pk)
    assert (saved.version, saved.mri_injury_pattern, saved.transport_team_arrived_datetime) == (
        marked.version, marked.mri_injury_pattern, marked.transport_team_arrived_datetime)


def test_a_section_role_still_gets_403_on_a_frozen_case_it_does_not_write_to(people: Personas) -> None:
    """The 409 is for those who write to the case: a radiologist at another unit, who cannot even see it, is a
    404, and the read-only network lead a 403, frozen or not."""
    case = _mark(typed_case(people), people.nurse)
    response = token_client(people.lead).patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, **MRI_CHANGE},
                                               format="json")
    assert response.status_code == 403


def test_a_radiologists_mri_section_screen_says_why(people: Personas) -> None:
    radiologist = with_section_roles(people).radiologist
    assert radiologist is not None
    marked = _mark(typed_case(people), people.nurse)
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
