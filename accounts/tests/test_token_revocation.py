"""A user's API tokens are revoked when the credentials behind them change (issue 12): a password changed
on the page, reset by email, set in the admin or by `changepassword`; two-factor reset; the account closed.
Tokens also expire (API_TOKEN_DAYS), and the tokens page shows when."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.tests.conftest import current_code, signed_in
from accounts.tests.test_passwords import CHANGE, EMAIL, NEW, OLD, _request_link, _set_new, _verified
from api import services
from api.models import ApiToken
from core.models import AuditEvent
from core.testing.personas import Personas

pytestmark = pytest.mark.usefixtures("otp_on")


@pytest.fixture
def nurse(people: Personas):
    people.nurse.email = EMAIL
    people.nurse.save(update_fields=["email"])
    TOTPDevice.objects.create(user=people.nurse, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=people.nurse, name="Backup codes", confirmed=True)
    static.token_set.create(token="backup12")
    return people.nurse


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/units/").status_code == 200


def _assert_revoked(token: ApiToken, key: str, why: str) -> None:
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_reason == why
    assert not _works(key)
    assert AuditEvent.objects.filter(object_type="api.token", object_id=str(token.pk),
                                     summary__endswith=why).count() == 1


def test_password_change_on_the_page_revokes_tokens(nurse) -> None:
    token, key = services.token_create(user=nurse, name="extract")
    other, other_key = services.token_create(user=nurse, name="second")
    assert _works(key)
    response = _verified(nurse, "backup12").post(CHANGE, {"old_password": OLD, "new_password1": NEW,
                                                          "new_password2": NEW})
    assert response.status_code == 302
    _assert_revoked(token, key, "the password was changed or reset")
    _assert_revoked(other, other_key, "the password was changed or reset")


def test_password_reset_by_email_revokes_tokens(nurse) -> None:
    token, key = services.token_create(user=nurse, name="extract")
    done = _set_new(Client(), _request_link(), NEW)
    assert done.status_code == 302
    assert len(mail.outbox) == 1
    _assert_revoked(token, key, "the password was changed or reset")


def test_password_set_by_an_administrator_or_command_revokes_tokens(people: Personas) -> None:
    token, key = services.token_create(user=people.clinician, name="extract")
    people.clinician.set_password("a-new-one-from-the-admin")
    people.clinician.save()  # as the admin's password form does
    _assert_revoked(token, key, "the password was changed or reset")
    token2, key2 = services.token_create(user=people.clinician, name="again")
    people.clinician.set_password("and-another-one-42")
    people.clinician.save(update_fields=["password"])  # as set_password in accounts.services does
    _assert_revoked(token2, key2, "the password was changed or reset")


def test_other_saves_of_the_user_leave_tokens_alone(people: Personas) -> None:
    token, key = services.token_create(user=people.clinician, name="extract")
    people.clinician.first_name = "Carl"
    people.clinician.save()
    people.clinician.last_login = timezone.now()
    people.clinician.save(update_fields=["last_login"])
    token.refresh_from_db()
    assert token.revoked_at is None and _works(key)


def test_a_rehash_of_the_same_password_at_sign_in_leaves_tokens_alone(people: Personas) -> None:
    token, key = services.token_create(user=people.clinician, name="extract")
    user = people.clinician
    user.set_password("correct-horse-battery")  # what AbstractBaseUser.check_password's setter does
    user._password = None  # type: ignore[attr-defined]  # Django's private note of a changed password
    user.save(update_fields=["password"])
    token.refresh_from_db()
    assert token.revoked_at is None and _works(key)


def test_two_factor_reset_revokes_tokens(people: Personas, settings) -> None:
    TOTPDevice.objects.create(user=people.nurse, name="app", confirmed=True)
    token, key = services.token_create(user=people.nurse, name="extract")
    device = TOTPDevice.objects.create(user=people.admin_user, name="app", confirmed=True)
    admin = signed_in(people.admin_user)
    admin.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert admin.post(reverse("accounts:reset_two_factor", args=[people.nurse.pk])).status_code == 302
    _assert_revoked(token, key, "two-factor authentication was reset")


def test_abandoned_two_factor_set_up_leaves_tokens_alone(people: Personas) -> None:
    _, key = services.token_create(user=people.nurse, name="extract")
    account_services.pending_totp_device(people.nurse).delete()
    assert _works(key)


def test_deactivated_account_revokes_tokens(people: Personas) -> None:
    token, key = services.token_create(user=people.clinician, name="extract")
    people.clinician.is_active = False
    people.clinician.save()
    _assert_revoked(token, key, "the account was deactivated")
    people.clinician.is_active = True  # reopening the account does not bring the token back
    people.clinician.save()
    assert not _works(key)


def test_tokens_expire_after_the_configured_days_and_the_page_shows_when(people: Personas, settings) -> None:
    settings.API_TOKEN_DAYS = 30
    settings.OTP_REQUIRED = False  # the tokens page itself, not two-factor, is under test here
    token, key = services.token_create(user=people.nurse, name="extract")
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=30), abs=timedelta(seconds=5))
    page = signed_in(people.nurse).get("/api/tokens/").content.decode()
    assert timezone.localtime(token.expires_at).strftime("%d/%m/%Y") in page
    assert "30 days after it is made" in page
    with time_machine.travel(token.expires_at - timedelta(minutes=1)):
        assert _works(key)
    with time_machine.travel(token.expires_at + timedelta(minutes=1)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        refused = client.get("/api/v1/units/")
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["message"].startswith("The token expired on ")
        assert "Expired" in signed_in(people.nurse).get("/api/tokens/").content.decode()


def test_default_expiry_is_90_days(people: Personas) -> None:
    token, _ = services.token_create(user=people.nurse, name="extract")
    assert (token.expires_at - token.created_at).days in (89, 90)
