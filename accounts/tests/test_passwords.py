"""Changing a password (signed in) and resetting a forgotten one by email: validators, audit, one-use expiring
links that reveal nothing, the rate limit, and two-factor still required afterwards."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import RESETS_PER_EMAIL, Event
from accounts.tests.conftest import signed_in
from core.models import AuditEvent
from core.testing.personas import Personas

pytestmark = pytest.mark.usefixtures("otp_on")

CHANGE = reverse("accounts:password_change")
RESET = reverse("accounts:password_reset")
RESET_SENT = reverse("accounts:password_reset_done")
RESET_COMPLETE = reverse("accounts:password_reset_complete")
LOGIN = reverse("login")
VERIFY = reverse("accounts:two_factor_verify")
CASES = reverse("pathway:case_list")
OLD = "correct-horse-battery"
NEW = "plum-tractor-lighthouse-42"
EMAIL = "nina.nurse@nhs.example"


@pytest.fixture
def nurse(people: Personas):
    """Nina with an email address, an authenticator and two backup codes (one per signed-in client)."""
    people.nurse.email = EMAIL
    people.nurse.save(update_fields=["email"])
    TOTPDevice.objects.create(user=people.nurse, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=people.nurse, name="Backup codes", confirmed=True)
    static.token_set.create(token="backup12")
    static.token_set.create(token="backup34")
    return people.nurse


def _verified(user, backup_code: str) -> Client:
    client = signed_in(user)
    assert client.post(VERIFY, {"code": backup_code, "next": CASES})["Location"] == CASES
    return client


def _events(action: str) -> list[str]:
    return list(AuditEvent.objects.filter(action=action).values_list("object_id", flat=True))


# --- Change -----------------------------------------------------------------------------------------------------

def test_change_keeps_this_session_signed_in_and_verified_and_ends_the_others(nurse) -> None:
    client, elsewhere = _verified(nurse, "backup12"), _verified(nurse, "backup34")
    page = client.get(CASES)
    assert f'href="{CHANGE}"' in page.content.decode()  # the header link
    assert "Current password" in client.get(CHANGE).content.decode()

    response = client.post(CHANGE, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302 and response["Location"] == CASES
    nurse.refresh_from_db()
    assert nurse.check_password(NEW) and not nurse.check_password(OLD)
    assert "Your password has been changed" in client.get(CASES).content.decode()  # 200: still past two-factor
    assert elsewhere.get(CASES)["Location"].startswith(LOGIN)  # the other computer is signed out
    event = AuditEvent.objects.get(action=Event.PASSWORD_CHANGED)
    assert (event.actor, event.object_id) == (nurse, "nina")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW},
     "old_password", "Current password is not correct: enter it again"),
    ({"old_password": OLD, "new_password1": "short", "new_password2": "short"},
     "new_password1", "This password is too short. It must contain at least 12 characters."),
    ({"old_password": OLD, "new_password1": "password1234", "new_password2": "password1234"},
     "new_password1", "This password is too common."),
    ({"old_password": OLD, "new_password1": "482917365021", "new_password2": "482917365021"},
     "new_password1", "This password is entirely numeric."),
    ({"old_password": OLD, "new_password1": NEW, "new_password2": NEW + "x"},
     "new_password2", "New password again must match the new password"),
])
def test_change_refuses_with_a_field_error_and_changes_nothing(nurse, data: dict[str, str], field: str,
                                                                message: str) -> None:
    response = _verified(nurse, "backup12").post(CHANGE, data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    nurse.refresh_from_db()
    assert nurse.check_password(OLD)
    assert _events(Event.PASSWORD_CHANGED) == []


def test_change_needs_two_factor_first(nurse) -> None:
    client = signed_in(nurse)  # password only
    response = client.post(CHANGE, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert response["Location"].startswith(VERIFY)
    nurse.refresh_from_db()
    assert nurse.check_password(OLD)


def test_password_events_are_in_the_sign_in_log(nurse, people: Personas, settings) -> None:
    _verified(nurse, "backup12").post(CHANGE, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    Client().post(RESET, {"email": EMAIL})
    settings.OTP_REQUIRED = False  # the administrator's own two-factor is not under test here
    page = signed_in(people.admin_user).get(reverse("accounts:sign_in_log"), {"kind": "account"})
    html = page.content.decode()
    assert "Password changed" in html and "Password reset link sent" in html


# --- Reset ------------------------------------------------------------------------------------------------------

def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(message.body))
    assert found is not None
    return found.group(1)


def _request_link(address: str = EMAIL) -> str:
    response = Client().post(RESET, {"email": address})
    assert response["Location"] == RESET_SENT
    return _link(mail.outbox[-1])


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def _set_new(client: Client, link: str, password: str):
    form_page = client.get(link)
    assert form_page.status_code == 302  # Django moves the token into the session, off the address bar
    return client.post(form_page["Location"], {"new_password1": password, "new_password2": password})


def test_sign_in_page_links_to_reset() -> None:
    assert f'href="{RESET}"' in Client().get(LOGIN).content.decode()
    assert "The link works once, for 60 minutes" in Client().get(RESET).content.decode()


def test_reset_email_goes_to_a_real_active_user_and_names_nobody(nurse) -> None:
    link = _request_link(EMAIL.upper())  # addresses match whatever their case

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    for identifying in ("nina", "Nina", "Nurse", EMAIL):
        assert identifying not in str(message.subject) + str(message.body)
    assert "within 60 minutes" in message.body and link in message.body
    assert _events(Event.PASSWORD_RESET_REQUESTED) == ["nina"]


def test_unknown_or_inactive_address_gets_the_same_answer_and_no_email(nurse) -> None:
    known = Client().post(RESET, {"email": EMAIL}, follow=True)
    mail.outbox.clear()
    AuditEvent.objects.all().delete()
    nurse.is_active = False
    nurse.save(update_fields=["is_active"])

    for address in ("nobody@nhs.example", EMAIL):
        answer = Client().post(RESET, {"email": address}, follow=True)
        assert answer.redirect_chain == known.redirect_chain == [(RESET_SENT, 302)]
        assert _main(answer) == _main(known)  # the whole page but its per-response nonce
    assert mail.outbox == []
    assert _events(Event.PASSWORD_RESET_REQUESTED) == []


def test_reset_link_sets_the_password_once_without_signing_in(nurse) -> None:
    client = Client()
    done = _set_new(client, _request_link(), NEW)

    assert done["Location"] == RESET_COMPLETE
    nurse.refresh_from_db()
    assert nurse.check_password(NEW)
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Event.PASSWORD_RESET)
    assert (event.actor, event.object_id) == (nurse, "nina")
    again = Client().get(_link(mail.outbox[0]), follow=True)
    assert again.context["validlink"] is False
    assert "Reset link not valid" in again.content.decode()


def test_expired_link_is_refused(nurse) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        link = _request_link()
        traveller.shift(timedelta(minutes=61))
        response = Client().get(link, follow=True)
    assert response.context["validlink"] is False
    nurse.refresh_from_db()
    assert nurse.check_password(OLD)


def test_reset_refuses_a_weak_password(nurse) -> None:
    response = _set_new(Client(), _request_link(), "password1234")

    assert response.status_code == 200
    assert "This password is too common." in response.context["form"].errors["new_password1"]
    nurse.refresh_from_db()
    assert nurse.check_password(OLD)
    assert _events(Event.PASSWORD_RESET) == []


def test_after_a_reset_sign_in_still_needs_the_code(nurse, settings) -> None:
    settings.AXES_ENABLED = True
    signed_in_before = _verified(nurse, "backup12")
    client = Client()
    _set_new(client, _request_link(), NEW)

    assert signed_in_before.get(CASES)["Location"].startswith(LOGIN)  # the reset ended the old session
    assert client.get(CASES)["Location"].startswith(LOGIN)
    assert client.post(LOGIN, {"username": "nina", "password": NEW})["Location"] == CASES
    assert client.get(CASES)["Location"].startswith(VERIFY)


def test_reset_requests_are_limited_per_email(nurse) -> None:
    for _ in range(RESETS_PER_EMAIL + 2):
        assert Client().post(RESET, {"email": EMAIL})["Location"] == RESET_SENT
    assert len(mail.outbox) == RESETS_PER_EMAIL


def test_a_reset_ends_a_lockout_and_sign_in_still_needs_the_code(nurse, settings) -> None:
    """Five wrong guesses at the forgotten password lock Nina out; the emailed reset lets her in again."""
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(LOGIN, {"username": "nina", "password": "not-my-password-1"})
    locked = Client().post(LOGIN, {"username": "nina", "password": OLD})
    assert locked.status_code == 429 or "locked" in locked.content.decode().lower()

    client = Client()
    _set_new(client, _request_link(), NEW)

    event = AuditEvent.objects.get(action=Event.PASSWORD_RESET)
    assert event.changes == {"attempts_cleared": 1}  # django-axes keeps one record per username
    assert client.post(LOGIN, {"username": "nina", "password": NEW})["Location"] == CASES
    assert client.get(CASES)["Location"].startswith(VERIFY)
