"""Dead and mangled tokens (issue 12, medium): an expired, revoked or mangled key is a JSON 401 even when a
signed-in session cookie comes with it (the session never stands in for a token that was named)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from api import services
from core.testing.personas import Personas

URL = "/api/v1/cases/"


def _with_session(people: Personas) -> APIClient:
    client = APIClient()
    client.force_login(people.nurse)
    assert client.get(URL).status_code == 200  # the session alone works (the browsable API)
    return client


def _refused(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/json"  # type: ignore[index]
    assert response.json()["errors"][0]["rule"] == "authentication_failed"  # type: ignore[attr-defined]


def test_an_expired_token_with_a_session_is_refused(people: Personas) -> None:
    token, key = services.token_create(user=people.nurse, name="x")
    client = _with_session(people)
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        _refused(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}"))


def test_a_revoked_token_with_a_session_is_refused(people: Personas) -> None:
    token, key = services.token_create(user=people.nurse, name="x")
    services.token_revoke(token=token, by=people.nurse)
    _refused(_with_session(people).get(URL, HTTP_AUTHORIZATION=f"Bearer {key}"))


def test_a_token_revoked_by_a_password_change_with_a_session_is_refused(people: Personas) -> None:
    _, key = services.token_create(user=people.nurse, name="x")
    client = _with_session(people)
    people.nurse.set_password("a-completely-new-one-42")
    people.nurse.save()
    _refused(APIClient().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}"))
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code in {401, 403}


@pytest.mark.parametrize("mangle", [
    lambda key: key + "x", lambda key: key[:-1], lambda key: key.upper(), lambda key: key + "\u00e9",
    lambda key: " " + key + " extra", lambda key: key.replace("pwt_", "pwt-"),
])
def test_a_mangled_key_is_refused(people: Personas, mangle: object) -> None:
    _, key = services.token_create(user=people.nurse, name="x")
    header = f"Bearer {mangle(key)}".encode().decode("latin-1")  # type: ignore[operator]
    _refused(_with_session(people).get(URL, HTTP_AUTHORIZATION=header))
