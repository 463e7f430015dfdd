"""Training writes: validation (field and rule named, nothing written), history, audit, queued recompute."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEvent
from core.testing.personas import Personas
from kpis.models import KpiRun
from training import services
from training.models import Attendance, Establishment, KeyMessage, TrainingSession
from training.tests.builders import establish, record, unit

pytestmark = pytest.mark.django_db
DAY = date(2024, 5, 14)


def _values(**overrides: object) -> services.SessionValues:
    base: dict = {"date": DAY, "trainer": "Outreach nurse", "format": "teaching", "headcounts": {"nurse": 4}}
    return services.SessionValues(**{**base, **overrides})


def test_default_key_messages_are_seeded() -> None:
    texts = list(KeyMessage.objects.active().values_list("text", flat=True))
    assert texts[:3] == ["Start passive cooling with a rectal probe", "Call for transfer early", "Avoid overcooling"]
    assert {"Continuous core temperature monitoring", "Document times", "Support the family"} <= set(texts)


def test_record_saves_attendance_messages_and_audit(people: Personas) -> None:
    session = services.session_record(
        unit=unit("RWG02"), by=people.nurse,
        values=_values(headcounts={"nurse": 4, "doctor": 2, "midwife": 0}, named_attendees="A Smith\n\nB Jones\n",
                       key_messages=list(KeyMessage.objects.filter(text="Avoid overcooling"))))
    assert dict(session.attendance.values_list("role", "headcount")) == {"nurse": 4, "doctor": 2}
    assert session.names == ["A Smith", "B Jones"]
    event = AuditEvent.objects.get(object_type="training_session", object_id=str(session.pk))
    assert (event.action, event.actor) == ("create", people.nurse)
    assert event.changes["headcounts"] == ["", "doctor 2, nurse 4"]
    assert event.changes["key_messages"] == ["", "Avoid overcooling"]
    assert event.changes["date"] == ["", f"{session.date:%d/%m/%Y}"] and event.changes["unit"] == ["", "RWG02"]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"headcounts": {"nurse": 0}}, "__all__", "at least one staff role"),
    ({"headcounts": {"nurse": -1, "doctor": 3}}, "headcount_nurse", "cannot be negative"),
    ({"trainer": "  "}, "trainer", "trainer's name"),
    ({"format": "webinar"}, "format", "format"),
    ({"date": date.today() + timedelta(days=2)}, "date", "cannot be in the future"),
    ({"named_attendees": "A\nB\nC", "headcounts": {"nurse": 2}}, "named_attendees", "cannot outnumber"),
])
def test_bad_session_is_refused_naming_the_field(people: Personas, overrides: dict, field: str,
                                                 message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.session_record(unit=unit("RWG02"), values=_values(**overrides), by=people.nurse)
    assert message in " ".join(refused.value.message_dict[field])
    assert not TrainingSession.objects.exists()
    assert not AuditEvent.objects.filter(object_type="training_session").exists()


def test_update_replaces_attendance_and_audits_old_and_new(people: Personas) -> None:
    session = record("RWG02", DAY, people.nurse, nurse=4)
    services.session_update(session=session, values=_values(headcounts={"doctor": 3}, trainer="Dr Who"),
                            by=people.clinician)
    assert list(Attendance.objects.filter(session=session).values_list("role", "headcount")) == [("doctor", 3)]
    event = AuditEvent.objects.filter(object_type="training_session", action="update").get()
    assert event.actor == people.clinician
    assert event.changes["trainer"] == ["Outreach nurse", "Dr Who"]
    assert event.changes["headcounts"] == ["nurse 4", "doctor 3"]


def test_delete_keeps_what_it_was_in_the_audit(people: Personas) -> None:
    session = record("RWG02", DAY, people.nurse, nurse=4)
    pk = session.pk
    services.session_delete(session=session, by=people.nurse)
    assert not TrainingSession.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(object_type="training_session", action="delete")
    assert event.changes["headcounts"] == ["nurse 4", ""]


def test_establishment_keeps_history_and_corrects_the_same_day(people: Personas) -> None:
    establish("RWG02", date(2023, 1, 1), people.nurse, nurse=30, doctor=10)
    establish("RWG02", date(2024, 1, 1), people.nurse, nurse=40, doctor=10)
    establish("RWG02", date(2024, 1, 1), people.nurse, nurse=42, doctor=10, annp=0)  # a correction
    assert Establishment.objects.filter(unit=unit("RWG02")).count() == 2
    assert Establishment.objects.in_force_on(unit("RWG02"), date(2023, 12, 31)).headcounts() == {
        "nurse": 30, "doctor": 10}
    assert Establishment.objects.in_force_on(unit("RWG02"), date(2024, 1, 1)).headcounts() == {
        "nurse": 42, "doctor": 10}
    assert Establishment.objects.in_force_on(unit("RWG02"), date(2022, 12, 31)) is None
    correction = AuditEvent.objects.filter(object_type="training_establishment", action="update").get()
    assert correction.changes == {"nurse": ["40", "42"]}


def test_empty_establishment_is_refused(people: Personas) -> None:
    with pytest.raises(ValidationError, match="at least one staff role"):
        establish("RWG02", DAY, people.nurse, nurse=0)
    assert not Establishment.objects.exists()


def test_key_message_add_rename_retire_and_duplicates(people: Personas) -> None:
    message = services.key_message_save(message=None, text="Check glucose", active=True, order=7, by=people.nurse)
    services.key_message_save(message=message, text="Check blood glucose", active=False, order=7, by=people.nurse)
    message.refresh_from_db()
    assert (message.text, message.active) == ("Check blood glucose", False)
    with pytest.raises(ValidationError) as refused:
        services.key_message_save(message=None, text="avoid OVERCOOLING", active=True, order=0, by=people.nurse)
    assert "already on the list" in refused.value.message_dict["text"][0]
    changes = AuditEvent.objects.filter(object_type="training_key_message").order_by("id")
    assert [e.action for e in changes] == ["create", "update"]
    assert changes[1].changes == {"text": ["Check glucose", "Check blood glucose"], "active": ["yes", "no"]}


def test_a_write_queues_one_recompute_per_transaction(people: Personas,
                                                      django_capture_on_commit_callbacks: pytest.FixtureDef) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        record("RWG02", DAY, people.nurse, nurse=4)
        record("RWG02", DAY, people.nurse, nurse=5)
        establish("RWG02", DAY, people.nurse, nurse=40)
    assert not KpiRun.objects.exists()  # nothing before the commit
    for callback in callbacks:  # as the commit runs them: the first sends the batch, the others find it sent
        callback()
    run = KpiRun.objects.get()
    assert (run.producer, run.trigger, run.scope, run.triggered_by) == ("training", "case_saved", "full", people.nurse)


def test_saving_a_session_recomputes_the_kpi_on_commit(people: Personas,
                                                       django_capture_on_commit_callbacks: pytest.FixtureDef) -> None:
    from kpis.models import KpiAggregate

    with django_capture_on_commit_callbacks(execute=True):
        establish("RWG02", date(2024, 1, 1), people.nurse, nurse=40)
        record("RWG02", timezone.localdate(), people.nurse, nurse=10)
    current = KpiAggregate.objects.filter(kpi=services.KPI_CODE, org_code="RWG02",
                                          period_type="rolling_12m").order_by("-period_end").first()
    assert (current.numerator, current.denominator, current.rate) == (10, 40, 0.25)


def test_a_stale_session_save_is_refused_naming_who_saved(people: Personas) -> None:
    from core.exceptions import EditConflict

    session = record("RWG02", DAY, people.nurse, nurse=4)
    assert session.version == 1
    saved = services.session_update(session=session, values=_values(trainer="Dr Who"), by=people.clinician,
                                    expected_version=1)
    assert saved.version == 2
    with pytest.raises(EditConflict, match="now version 2"):
        services.session_update(session=session, values=_values(trainer="Sister Late"), by=people.nurse,
                                expected_version=1)
    session.refresh_from_db()
    assert session.trainer == "Dr Who" and session.version == 2
    assert AuditEvent.objects.filter(object_type="training_session", action="update").count() == 1
