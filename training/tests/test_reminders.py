"""Refresher reminders: who is emailed, what it says, and the command (Django's locmem outbox in tests)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from core.testing.personas import Personas, make_user
from training.models import KeyMessage
from training.reminders import send_reminders
from training.selectors import units_due
from training.tests.builders import establish, record, unit
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db
TODAY = date(2024, 7, 15)
ALL_MESSAGES = ("Start passive cooling with a rectal probe", "Call for transfer early", "Avoid overcooling",
                "Continuous core temperature monitoring", "Document times", "Support the family")


@pytest.fixture
def trained(people: Personas) -> None:
    """Every unit trained on every message recently, except Watford (last session 200 days ago) and Ipswich
    (recent session, but "Support the family" last covered 181 days ago)."""
    for each in Unit.objects.active():
        if each.ods_code not in {"RWG02", "RDE03"}:
            record(each.ods_code, TODAY - timedelta(days=10), people.nurse, messages=ALL_MESSAGES)
    record("RWG02", TODAY - timedelta(days=200), people.nurse, messages=ALL_MESSAGES)
    record("RDE03", TODAY - timedelta(days=181), people.nurse, messages=ALL_MESSAGES)
    record("RDE03", TODAY - timedelta(days=5), people.nurse, messages=ALL_MESSAGES[:-1])
    establish("RWG02", date(2024, 1, 1), people.nurse, nurse=10)
    for name, email in ((people.nurse, "nina@example.nhs.uk"), (people.lead, "leo@example.nhs.uk"),
                        (people.clinician, "carl@example.nhs.uk")):
        name.email = email
        name.save()


def test_due_units_by_session_and_by_key_message(trained: None) -> None:
    due = {row.unit.ods_code: row.refresher.reasons for row in units_due(TODAY)}
    assert set(due) == {"RWG02", "RDE03"}
    assert due["RWG02"][0] == "last session 28/12/2023, refresher due 25/06/2024"
    assert due["RDE03"] == ["“Support the family” last covered 16/01/2024"]


@override_settings(TRAINING_REFRESHER_DAYS=365)
def test_the_interval_is_a_setting(trained: None) -> None:
    assert units_due(TODAY) == []


def test_email_goes_to_nurse_specialists_only_listing_the_due_units(people: Personas, trained: None) -> None:
    second = make_user("nora", unit("RM102"), Role.NURSE_SPECIALIST)
    second.email = "nora@example.nhs.uk"
    second.save()
    Membership.objects.create(user=second, unit=unit("RGT01"), role=Role.NURSE_SPECIALIST)  # one email, not two
    make_user("nemo", unit("RGT01"), Role.NURSE_SPECIALIST)  # no email address: cannot be sent to
    reminder = send_reminders(TODAY)
    assert reminder.sent
    (message,) = mail.outbox
    assert message.to == ["nina@example.nhs.uk", "nora@example.nhs.uk"]
    assert message.subject == "Training refreshers due: 2 units (15/07/2024)"
    assert "Watford (RWG02), coverage 10%:" in message.body
    assert "last session 28/12/2023, refresher due 25/06/2024" in message.body
    assert "“Support the family” last covered 16/01/2024" in message.body
    assert "No establishment recorded" in message.body  # Ipswich has none
    assert "Addenbrooke" not in message.body
    assert "/training/" in message.body


def test_nothing_is_sent_when_no_unit_is_due(people: Personas, trained: None) -> None:
    record("RWG02", TODAY, people.nurse, messages=ALL_MESSAGES)
    record("RDE03", TODAY, people.nurse, messages=ALL_MESSAGES)
    assert send_reminders(TODAY).sent is False
    assert mail.outbox == []


def test_a_retired_message_is_not_due(people: Personas, trained: None) -> None:
    KeyMessage.objects.filter(text="Support the family").update(active=False)
    assert {row.unit.ods_code for row in units_due(TODAY)} == {"RWG02"}


def test_command_dry_run_prints_and_sends_nothing(trained: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("training_reminders", "--dry-run", "--as-of", "2024-07-15")
    out = capsys.readouterr().out
    assert mail.outbox == []
    assert "To: nina@example.nhs.uk" in out and "Watford (RWG02)" in out and "dry run" in out
    call_command("training_reminders", "--as-of", "2024-07-15")
    assert len(mail.outbox) == 1


def test_the_beat_schedule_runs_both_jobs_nightly() -> None:
    from django.conf import settings

    coverage = settings.CELERY_BEAT_SCHEDULE["training-coverage-kpis-nightly"]
    assert (coverage["task"], coverage["kwargs"]) == ("kpis.tasks.recompute_all", {"producer": "training"})
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "training.tasks.send_training_reminders_task" in tasks
    assert settings.TRAINING_REFRESHER_DAYS == 180
