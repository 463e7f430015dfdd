"""The v2 parts of the case page (issue 14): sections in the order a clinician meets them, the MRI
sequences as tick boxes, the follow-up asking for its corrected age, the derived disability shown and
explained, transport intervals on instants (clock changes included), and history in people's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from pathway import services, timeline
from pathway.models import Case
from pathway.sections import SECTIONS, history_display

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(people: Personas, **overrides: Any) -> Case:
    return services.case_create(values=cooled_case_values(**overrides), by=people.nurse)


def test_sections_follow_the_journey() -> None:
    assert [s.slug for s in SECTIONS] == ["birth", "referral", "cooling", "first-days", "mri", "discharge", "family",
                                          "follow-up", "opt-out"]
    assert [s.in_sentence for s in SECTIONS if s.slug in ("mri", "referral")] == ["referral and transport", "MRI"]


def test_the_mri_section_saves_ticked_sequences_in_the_dataset_order(people: Personas) -> None:
    case = _case(people)
    response = _client(people.nurse).post(reverse("pathway:case_section", args=[case.pk, "mri"]), {
        "version": case.version, "mri_performed": "yes", "mri_datetime": "21/05/2024 10:00",
        "mri_sequences": ["mrs", "t1", "dwi", "t2"], "mri_injury_pattern": "watershed", "mri_score_system": "weeke",
        "mri_score_value": "9"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.mri_sequences == ["t1", "t2", "dwi", "mrs"]
    page = _client(people.nurse).get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "T1, T2, Diffusion (DWI), Spectroscopy (MRS)" in page


def test_an_mri_detail_without_an_mri_is_refused_beside_the_field(people: Personas) -> None:
    case = _case(people)
    response = _client(people.nurse).post(reverse("pathway:case_section", args=[case.pk, "mri"]), {
        "version": case.version, "mri_performed": "no", "mri_injury_pattern": "normal"})
    assert response.status_code == 200
    assert "The MRI injury pattern can only be recorded when MRI performed is &#x27;yes&#x27;" in \
        response.content.decode()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_the_follow_up_screen_asks_for_the_corrected_age(people: Personas) -> None:
    case = _case(people, outcome="alive", discharge_datetime=datetime(2024, 5, 28, 12, 0, tzinfo=LONDON))
    url = reverse("pathway:case_section", args=[case.pk, "follow-up"])
    response = _client(people.nurse).post(url, {"version": case.version, "followup_2y": "completed",
                                                "followup_2y_date": "20/05/2026"})
    assert response.status_code == 200
    assert "Enter the corrected age at assessment (months)" in response.content.decode()

    response = _client(people.nurse).post(url, {
        "version": case.version, "followup_2y": "completed", "followup_2y_date": "20/05/2026",
        "followup_corrected_age_months": "24", "bayley_version": "iii", "bayley_cognitive": "65",
        "bayley_language": "70", "bayley_motor": "60", "cerebral_palsy": "bilateral_spastic", "gmfcs_level": "4",
        "vision": "normal", "hearing": "normal", "epilepsy": "yes"})
    assert response.status_code == 302
    page = _client(people.nurse).get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "Disability at two years: Severe disability" in page
    assert "Bayley cognitive composite 65 is below 70" in page
    assert "GMFCS level 4 (3 to 5)" in page
    assert "How disability is classified" in page


def test_no_classification_before_the_follow_up_is_completed(people: Personas) -> None:
    case = _case(people)
    page = _client(people.nurse).get(reverse("pathway:case_detail", args=[case.pk])).content.decode()
    assert "Disability at two years" not in page


def test_history_shows_v2_values_in_words(people: Personas) -> None:
    case = _case(people)
    services.case_update(case=case, values={"mri_sequences": ["t1", "t2", "dwi"], "referral_decision": "cool"},
                         expected_version=case.version, by=people.nurse)
    page = _client(people.nurse).get(reverse("pathway:case_history", args=[case.pk])).content.decode()
    assert "T1, T2, Diffusion (DWI)" in page
    assert "Decision on the referral call" in page
    assert history_display("mri_sequences", "t1, dwi") == "T1, Diffusion (DWI)"
    assert history_display("not_cooled_reason", "over_6h") == "Over 6 hours old"
    assert history_display("mri_sequences", "") == "Not recorded"


# --- transport intervals ---------------------------------------------------------------------------------


def _moved(**times: datetime | None) -> Case:
    return Case(birth_datetime=datetime(2024, 3, 30, 22, 0, tzinfo=UTC), **times)


def test_intervals_are_on_instants_across_the_spring_clock_change() -> None:
    """31 March 2024: 01:00 GMT becomes 02:00 BST. Mobilised 00:50 GMT, at the bedside 02:20 BST: 30 minutes."""
    case = _moved(referral_datetime=datetime(2024, 3, 31, 0, 30, tzinfo=LONDON),
                  transport_team_mobilised_datetime=datetime(2024, 3, 31, 0, 50, tzinfo=LONDON),
                  transport_team_arrived_datetime=datetime(2024, 3, 31, 2, 20, tzinfo=LONDON),
                  depart_referring_datetime=datetime(2024, 3, 31, 3, 0, tzinfo=LONDON),
                  arrive_centre_datetime=None)
    found = {i.label: i.minutes for i in timeline.transport_intervals(case)}
    assert found == {
        "Referral call to team mobilised": 20,
        "Team mobilised to arrival at the bedside": 30,
        "At the bedside to departure (stabilisation)": 40,
        "Departure to arrival at the cooling centre": None,
        "Referral call to team at the bedside": 50,
        "Referral call to arrival at the cooling centre": None,
    }


def test_intervals_across_the_autumn_clock_change() -> None:
    """27 October 2024: 01:30 happens twice. 01:30 BST to 01:10 GMT is 40 minutes, not a negative 20."""
    referral = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=0)  # BST, the first 01:30
    arrived = datetime(2024, 10, 27, 1, 10, tzinfo=LONDON, fold=1)  # GMT, after the clocks went back
    case = _moved(referral_datetime=referral, transport_team_mobilised_datetime=None,
                  transport_team_arrived_datetime=arrived, depart_referring_datetime=None, arrive_centre_datetime=None)
    found = {i.label: i.minutes for i in timeline.transport_intervals(case)}
    assert found["Referral call to team at the bedside"] == 40
    assert timeline.transport_intervals(case)[4].text == "0 h 40 min"


def test_no_intervals_without_any_transport_time() -> None:
    case = _moved(referral_datetime=datetime(2024, 3, 31, 0, 30, tzinfo=LONDON), transport_team_mobilised_datetime=None,
                  transport_team_arrived_datetime=None, depart_referring_datetime=None, arrive_centre_datetime=None)
    assert timeline.transport_intervals(case) == []


def test_the_timeline_page_shows_the_team_and_its_intervals(people: Personas) -> None:
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
    case = _case(people, birth=birth, transport_team_mobilised_datetime=birth + timedelta(minutes=95),
                 transport_team_arrived_datetime=birth + timedelta(minutes=140))
    page = _client(people.nurse).get(reverse("pathway:case_timeline", args=[case.pk])).content.decode()
    assert 'data-step="transport_team_mobilised_datetime"' in page
    assert 'data-step="transport_team_arrived_datetime"' in page
    assert "Referral and transport intervals" in page
    assert "0 h 45 min" in page  # mobilised 04:45 → at the bedside 05:30


def test_the_admin_shows_the_v2_fields_read_only(people: Personas) -> None:
    from django.contrib.auth import get_user_model

    case = _case(people, mri_sequences=["t1", "t2", "dwi"], referral_decision="cool")
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "correct-horse-battery")
    client = _client(superuser)
    page = client.get(reverse("admin:pathway_case_change", args=[case.pk])).content.decode()
    assert "MRI sequences" in page and "Decision on the referral call" in page
    listing = client.get(reverse("admin:pathway_case_changelist"), {"referral_decision": "cool"})
    assert listing.status_code == 200 and case.case_ref in listing.content.decode()
