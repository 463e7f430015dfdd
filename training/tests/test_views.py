"""Training screens: who may record where, what a page shows, errors beside their fields, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.testing.personas import Personas
from kpis import services as hie
from kpis.models import KpiAggregate
from training.models import Establishment, KeyMessage, TrainingSession
from training.services import KPI_CODE, compute_training_kpis
from training.tests.builders import establish, record

pytestmark = pytest.mark.django_db
PERSONAS = ["nurse", "lead", "admin_user", "consultant", "clinician", "outsider"]
# Who may record at Watford (RWG02): network-wide recorders, and the Watford clinician.
RECORDS_AT_WATFORD = {"nurse": True, "admin_user": True, "clinician": True, "lead": False, "consultant": False,
                      "outsider": False}


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_session(client: Client, unit_pk: int, **overrides: str) -> object:
    today = timezone.localdate()
    data = {"unit": str(unit_pk), "date": f"{today - timedelta(days=1):%d/%m/%Y}", "trainer": "Sister Jones",
            "format": "simulation", "headcount_nurse": "6", "headcount_doctor": "2",
            "key_messages": [str(KeyMessage.objects.get(text="Avoid overcooling").pk)], **overrides}
    return client.post(reverse("training:session_create"), data)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_signed_in_sees_coverage_and_sessions(people: Personas, persona: str) -> None:
    client = _client(getattr(people, persona))
    urls = (reverse("training:coverage"), reverse("training:session_list"), reverse("training:unit", args=["RWG02"]))
    for url in urls:
        assert client.get(url).status_code == 200


def test_coverage_needs_a_sign_in(network: object) -> None:
    response = Client().get(reverse("training:coverage"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_at_watford_by_persona(people: Personas, persona: str) -> None:
    from training.tests.builders import unit

    response = _post_session(_client(getattr(people, persona)), unit("RWG02").pk)
    saved = TrainingSession.objects.filter(unit__ods_code="RWG02").count()
    if RECORDS_AT_WATFORD[persona]:
        assert response.status_code == 302 and saved == 1
    else:
        # No unit to record at (403), or Watford is not among the choices (form error, nothing saved).
        assert response.status_code in (200, 403) and saved == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_and_establishment_by_persona(people: Personas, persona: str) -> None:
    session = record("RWG02", timezone.localdate(), people.nurse, nurse=3)
    client = _client(getattr(people, persona))
    expected = 200 if RECORDS_AT_WATFORD[persona] else 404
    assert client.get(reverse("training:session_edit", args=[session.pk])).status_code == expected
    assert client.get(reverse("training:session_delete", args=[session.pk])).status_code == expected
    assert client.get(reverse("training:establishment_edit", args=["RWG02"])).status_code == expected
    assert client.post(reverse("training:session_delete", args=[session.pk])).status_code == (
        302 if RECORDS_AT_WATFORD[persona] else 404)
    assert TrainingSession.objects.filter(pk=session.pk).exists() is not RECORDS_AT_WATFORD[persona]


@pytest.mark.parametrize(("persona", "allowed"), [("nurse", True), ("admin_user", True), ("lead", False),
                                                  ("consultant", False), ("clinician", False)])
def test_key_messages_are_managed_by_nurse_specialists_and_admins(people: Personas, persona: str,
                                                                  allowed: bool) -> None:
    client = _client(getattr(people, persona))
    response = client.post(reverse("training:key_messages"), {"text": "Check blood glucose", "active": "on"})
    assert response.status_code == (302 if allowed else 403)
    assert KeyMessage.objects.filter(text="Check blood glucose").exists() is allowed


def test_the_clinician_records_only_for_their_own_unit(people: Personas) -> None:
    from training.tests.builders import unit

    client = _client(people.clinician)
    page = client.get(reverse("training:session_create")).content.decode()
    assert "Watford (RWG02)" in page and "Ipswich" not in page
    response = _post_session(client, unit("RDE03").pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_bad_input_is_shown_beside_the_field_and_nothing_saved(people: Personas) -> None:
    from training.tests.builders import unit

    client = _client(people.nurse)
    future = timezone.localdate() + timedelta(days=3)
    html = _post_session(client, unit("RWG02").pk, date=f"{future:%d/%m/%Y}", headcount_nurse="0",
                         headcount_doctor="0").content.decode()
    assert "Date of session cannot be in the future" in html
    assert "enter the headcount of at least one staff role" in html
    assert not TrainingSession.objects.exists()
    assert not AuditEvent.objects.filter(object_type="training_session").exists()


def test_recording_shows_the_new_coverage(people: Personas) -> None:
    from training.tests.builders import unit

    establish("RWG02", timezone.localdate() - timedelta(days=30), people.nurse, nurse=20, doctor=4)
    client = _client(people.nurse)
    before = client.get(reverse("training:coverage")).content.decode()
    assert 'data-unit="RWG02"' in before
    response = _post_session(client, unit("RWG02").pk)
    assert response["Location"] == reverse("training:unit", args=["RWG02"])
    page = client.get(response["Location"]).content.decode()
    assert "33%" in page and "8 of 24 staff" in page  # 6 nurses + 2 doctors of 24
    assert "Avoid overcooling" in page
    coverage = client.get(reverse("training:coverage")).content.decode()
    row = coverage[coverage.index('data-unit="RWG02"'):]
    assert "33%" in row[:800] and "8 of 24" in row[:800]
    ipswich = coverage[coverage.index('data-unit="RDE03"'):]
    assert "No establishment recorded" in ipswich[:800]


def test_establishment_form_records_a_dated_establishment(people: Personas) -> None:
    client = _client(people.clinician)
    response = client.post(reverse("training:establishment_edit", args=["RWG02"]), {
        "effective_from": f"{timezone.localdate():%d/%m/%Y}", "headcount_nurse": "30", "headcount_midwife": "12"})
    assert response.status_code == 302
    assert Establishment.objects.get(unit__ods_code="RWG02").headcounts() == {"nurse": 30, "midwife": 12}
    assert AuditEvent.objects.filter(object_type="training_establishment", actor=people.clinician).count() == 1


def test_coverage_page_queries_do_not_grow_with_the_data(people: Personas) -> None:
    client = _client(people.lead)
    url = reverse("training:coverage")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    today = timezone.localdate()
    establish("RWG02", today - timedelta(days=100), people.nurse, nurse=30)
    record("RWG02", today, people.nurse, messages=("Avoid overcooling",), nurse=2)
    small = queries()
    for code in ("RWG02", "RDE03", "RGT01", "RM102"):
        establish(code, today - timedelta(days=100), people.nurse, nurse=30, doctor=5)
        for days in (3, 40, 90):
            record(code, today - timedelta(days=days), people.nurse, messages=("Avoid overcooling",), nurse=2)
    assert queries() == small


# --- The unit KPI dashboard shows coverage, in one query ----------------------------------------------------


def test_unit_dashboard_shows_coverage_with_one_more_query(people: Personas) -> None:
    today = timezone.localdate()
    hie.compute(as_of=today)
    client = _client(people.consultant)
    url = reverse("kpis:unit", args=["RWG02"])
    with CaptureQueriesContext(connection) as without:
        html = client.get(url).content.decode()
    assert "Staff training coverage" in html and "No training figure" in html

    establish("RWG02", today - timedelta(days=60), people.nurse, nurse=20)
    for days in (1, 10, 20):
        record("RWG02", today - timedelta(days=days), people.nurse, nurse=2)
    compute_training_kpis(today)
    with CaptureQueriesContext(connection) as with_data:
        html = client.get(url).content.decode()
    assert "30%" in html and "(6 of 20)" in html
    assert len(with_data.captured_queries) == len(without.captured_queries)
    training_queries = [q for q in with_data.captured_queries if KPI_CODE in q["sql"]]
    assert len(training_queries) == 1


def test_unit_dashboard_says_no_establishment(people: Personas) -> None:
    today = timezone.localdate()
    record("RWG02", today, people.nurse, nurse=2)
    compute_training_kpis(today)
    assert KpiAggregate.objects.filter(kpi=KPI_CODE, org_code="RWG02").exists()
    html = _client(people.clinician).get(reverse("kpis:unit", args=["RWG02"])).content.decode()
    assert "No establishment recorded" in html


def test_admin_edits_of_key_messages_are_audited(network: object) -> None:
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", "correct-horse-battery")
    client = _client(superuser)
    response = client.post(reverse("admin:training_keymessage_add"),
                           {"text": "Check blood glucose", "active": "on", "order": "9"})
    assert response.status_code == 302
    message = KeyMessage.objects.get(text="Check blood glucose")
    event = AuditEvent.objects.get(object_type="training_key_message", object_id=str(message.pk))
    assert (event.action, event.actor) == ("create", superuser)
    duplicate = client.post(reverse("admin:training_keymessage_add"), {"text": "check BLOOD glucose", "order": "1"})
    assert duplicate.status_code == 200 and "already on the list" in duplicate.content.decode()
    assert KeyMessage.objects.filter(text__iexact="check blood glucose").count() == 1


def test_a_stale_session_edit_is_refused_with_a_message(people: Personas) -> None:
    from training.tests.builders import unit

    client = _client(people.nurse)
    assert _post_session(client, unit("RWG02").pk).status_code == 302
    session = TrainingSession.objects.get()
    form = client.get(reverse("training:session_edit", args=[session.pk])).content.decode()
    assert 'name="version" value="1"' in form
    today = timezone.localdate()
    data = {"unit": str(unit("RWG02").pk), "date": f"{today - timedelta(days=1):%d/%m/%Y}", "trainer": "First",
            "format": "simulation", "headcount_nurse": "6", "version": "1"}
    url = reverse("training:session_edit", args=[session.pk])
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "trainer": "Second"})
    assert stale.status_code == 200
    assert "after you opened it" in stale.content.decode()
    session.refresh_from_db()
    assert session.trainer == "First" and session.version == 2
