"""Idle sign-out cannot be skipped by an `Authorization` header sent with the session cookie, and a session
ends SESSION_MAX_HOURS after sign-in however active it is (issue 12)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.middleware import IDLE_SESSION_KEY, SIGNED_IN_SESSION_KEY
from accounts.services import Event
from accounts.tests.conftest import signed_in
from api import services as token_services
from core.models import AuditEvent
from core.testing.personas import Personas

CASES = reverse("pathway:case_list")
LOGIN = reverse("login")


def _set_clock(client: Client, key: str, minutes_ago: float) -> None:
    session = client.session
    session[key] = time.time() - minutes_ago * 60
    session.save()


@pytest.fixture
def limits(settings):
    settings.IDLE_TIMEOUT_MINUTES = 30
    settings.SESSION_MAX_HOURS = 12
    return settings


@pytest.mark.parametrize("header", ["Bearer pwt_made-up", "Token x", "Basic bmluYTpwYXNz", "Anything", "Bearer"])
@pytest.mark.parametrize("path", [CASES, "/api/v1/cases/"])
def test_an_authorization_header_does_not_skip_idle_sign_out(people: Personas, limits, header: str,
                                                             path: str) -> None:
    client = signed_in(people.nurse)
    assert client.get(CASES).status_code == 200
    _set_clock(client, IDLE_SESSION_KEY, 31)
    response = client.get(path, HTTP_AUTHORIZATION=header)
    assert response.status_code in {302, 401}
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/json"
    else:
        assert response["Location"].startswith(f"{LOGIN}?idle=1")
    assert "_auth_user_id" not in client.session  # the session is over, whatever came with it
    assert client.get(CASES).status_code == 302
    assert AuditEvent.objects.filter(action=Event.IDLE_SIGN_OUT, actor=people.nurse).count() == 1


def test_a_header_does_not_keep_an_idle_session_alive(people: Personas, limits) -> None:
    client = signed_in(people.nurse)
    client.get(CASES)
    _set_clock(client, IDLE_SESSION_KEY, 20)
    _, key = token_services.token_create(user=people.nurse, name="script")
    # A token call with the cookie works as the token, and leaves the session's idle clock where it was.
    assert client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert client.session[IDLE_SESSION_KEY] < time.time() - 19 * 60
    _set_clock(client, IDLE_SESSION_KEY, 31)
    # Past the limit the session ends; the valid token still answers its own call.
    assert client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_session_ends_after_its_lifetime_however_active(people: Personas, limits) -> None:
    client = Client()
    client.force_login(people.nurse)  # stamps the sign-in time (accounts.signals)
    assert SIGNED_IN_SESSION_KEY in client.session
    _set_clock(client, SIGNED_IN_SESSION_KEY, 11 * 60 + 59)
    assert client.get(CASES).status_code == 200  # active all along: the idle clock is fresh
    _set_clock(client, SIGNED_IN_SESSION_KEY, 12 * 60 + 1)
    response = client.get(CASES)
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?expired=1")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "a session lasts at most 12 hours" in page
    event = AuditEvent.objects.get(action=Event.SESSION_EXPIRED)
    assert event.actor == people.nurse


def test_the_lifetime_holds_for_the_api_with_any_header(people: Personas, limits) -> None:
    client = signed_in(people.nurse)
    _set_clock(client, SIGNED_IN_SESSION_KEY, 13 * 60)
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Basic x")
    assert response.status_code == 401
    assert response.json()["errors"][0]["rule"] == "lifetime_timeout"


def test_the_lifetime_is_a_setting(people: Personas, limits) -> None:
    limits.SESSION_MAX_HOURS = 2
    client = signed_in(people.nurse)
    _set_clock(client, SIGNED_IN_SESSION_KEY, 2 * 60 + 1)
    assert client.get(CASES)["Location"].startswith(f"{LOGIN}?expired=1")
