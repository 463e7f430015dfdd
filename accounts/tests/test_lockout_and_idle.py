"""Lockout after 5 failed sign-ins (django-axes), unlocking by an administrator, idle sign-out, the sign-in log
entries these write, and the password rules."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.middleware import IDLE_SESSION_KEY
from accounts.services import Event
from accounts.tests.conftest import signed_in
from core.models import AuditEvent
from core.testing.personas import Personas

LOGIN = reverse("login")
CASES = reverse("pathway:case_list")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.OTP_REQUIRED = False  # the password step alone is under test here
    return settings


def _try(client: Client, password: str) -> int:
    return client.post(LOGIN, {"username": "nina", "password": password}).status_code


@pytest.mark.usefixtures("axes_on")
def test_five_failures_lock_the_username_even_for_the_right_password(people: Personas) -> None:
    client = Client()
    assert [_try(client, "wrong-password-1") for _ in range(4)] == [200] * 4
    locked = client.post(LOGIN, {"username": "nina", "password": "wrong-password-1"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in locked" in html and "ask a network administrator to unlock" in html
    assert "There have been 5 failed attempts" in html and "locked for 30 minutes" in html
    assert _try(Client(), "correct-horse-battery") == 429  # another computer: still locked (by username)
    assert AuditEvent.objects.filter(action=Event.SIGN_IN_FAILED, object_id="nina").count() >= 5
    assert AuditEvent.objects.filter(action=Event.LOCKED_OUT, object_id="nina").exists()


@pytest.mark.usefixtures("axes_on")
def test_a_success_before_the_limit_clears_the_count(people: Personas) -> None:
    client = Client()
    for _ in range(4):
        _try(client, "wrong-password-1")
    assert _try(client, "correct-horse-battery") == 302
    assert AuditEvent.objects.filter(action=Event.SIGN_IN, actor=people.nurse, object_id="nina").count() == 1
    assert _try(Client(), "wrong-password-1") == 200  # counting starts again


@pytest.mark.usefixtures("axes_on")
def test_administrator_unlocks_and_the_user_signs_in(people: Personas) -> None:
    for _ in range(5):
        _try(Client(), "wrong-password-1")
    admin = signed_in(people.admin_user)
    listing = admin.get(reverse("accounts:user_list"))
    assert [row["locked"] for row in listing.context["rows"] if row["user"] == people.nurse] == [True]
    response = admin.post(reverse("accounts:unlock"), {"username": "nina"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="nina").exists()
    event = AuditEvent.objects.get(action=Event.UNLOCKED)
    assert event.actor == people.admin_user and event.object_id == "nina"
    assert _try(Client(), "correct-horse-battery") == 302


@pytest.mark.usefixtures("axes_on")
def test_only_administrators_unlock(people: Personas) -> None:
    for _ in range(5):
        _try(Client(), "wrong-password-1")
    assert signed_in(people.lead).post(reverse("accounts:unlock"), {"username": "nina"}).status_code == 403
    assert AccessAttempt.objects.filter(username="nina").exists()


def _age_session(client: Client, minutes: float) -> None:
    session = client.session
    session[IDLE_SESSION_KEY] = time.time() - minutes * 60
    session.save()


def test_idle_session_is_signed_out_with_a_message(people: Personas, settings) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 30
    client = signed_in(people.nurse)
    assert client.get(CASES).status_code == 200
    _age_session(client, 31)
    response = client.get(CASES)
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?idle=1")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity" in page.content.decode()
    assert AuditEvent.objects.filter(action=Event.IDLE_SIGN_OUT, actor=people.nurse).exists()


def test_activity_within_the_limit_keeps_the_session(people: Personas, settings) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 30
    client = signed_in(people.nurse)
    client.get(CASES)
    _age_session(client, 29)
    assert client.get(CASES).status_code == 200
    assert client.session[IDLE_SESSION_KEY] > time.time() - 60  # the clock restarted
    _age_session(client, 0.5)
    stamped = client.session[IDLE_SESSION_KEY]
    client.get(CASES)
    assert client.session[IDLE_SESSION_KEY] == stamped  # rewritten at most once a minute


def test_force_login_writes_no_sign_in_row(people: Personas) -> None:
    signed_in(people.nurse).get(CASES)
    assert not AuditEvent.objects.filter(action=Event.SIGN_IN).exists()


def test_plain_sign_in_page_has_no_idle_message(db: None) -> None:
    assert "without activity" not in Client().get(LOGIN).content.decode()


@pytest.mark.parametrize(("password", "rule"), [
    ("short-pw1", "at least 12 characters"),
    ("password12345", "too common"),
    ("938475610293847", "entirely numeric"),
    ("nina.nurse@eoe-neonatal", "too similar to the email address"),
])
def test_password_rules(people: Personas, password: str, rule: str) -> None:
    people.nurse.email = "nina.nurse@eoe-neonatal.nhs.uk"
    with pytest.raises(ValidationError) as error:
        validate_password(password, people.nurse)
    assert any(rule in message for message in error.value.messages)
