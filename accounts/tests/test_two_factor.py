"""Two-factor sign-in: enforcement for every role, set-up, codes, backup codes and what stays reachable."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import Event
from accounts.tests.conftest import current_code, signed_in
from api import services as token_services
from core.models import AuditEvent
from core.testing.personas import Personas

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
CASES = reverse("pathway:case_list")

pytestmark = pytest.mark.usefixtures("otp_on")


@pytest.mark.parametrize("persona", ["nurse", "lead", "admin_user", "consultant", "clinician", "outsider"])
def test_every_role_is_sent_to_set_up_two_factor(people: Personas, persona: str) -> None:
    response = signed_in(getattr(people, persona)).get(CASES)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote(CASES, safe='')}"


def test_without_the_setting_a_password_is_enough(people: Personas, settings) -> None:
    settings.OTP_REQUIRED = False
    assert signed_in(people.nurse).get(CASES).status_code == 200


def test_set_up_shows_qr_and_secret_then_confirms_with_a_code(people: Personas) -> None:
    client = signed_in(people.nurse)
    page = client.get(SETUP, {"next": CASES})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<?xml" not in html
    device = TOTPDevice.objects.get(user=people.nurse, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert client.get(SETUP).context["secret"] == page.context["secret"]  # a reload keeps the same secret

    wrong = client.post(SETUP, {"code": "000000" if current_code(device) != "000000" else "111111", "next": CASES})
    assert wrong.status_code == 200
    assert "Code is not correct" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(CASES).status_code == 302
    assert device.throttling_failure_count == 1  # django-otp slows guessing: the next try waits a second
    device.throttle_reset()

    done = client.post(SETUP, {"code": current_code(device), "next": CASES})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert set(StaticToken.objects.filter(device__user=people.nurse).values_list("token", flat=True)) == set(codes)
    assert client.get(CASES).status_code == 200
    actions = list(AuditEvent.objects.filter(object_id="nina").values_list("action", flat=True))
    assert Event.TWO_FACTOR_SET_UP in actions and Event.TWO_FACTOR_FAILED in actions


def test_code_field_rejects_non_codes_with_a_message(people: Personas) -> None:
    client = signed_in(people.nurse)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12-34!"})
    assert response.context["form"].errors["code"] == [
        "Code must be 6 digits, or a backup code of letters and numbers"]


@pytest.fixture
def enrolled(people: Personas) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=people.nurse, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=people.nurse, name="Backup codes", confirmed=True)
    static.token_set.create(token="backup12")
    return device


def test_enrolled_user_must_enter_a_code(people: Personas, enrolled: TOTPDevice) -> None:
    client = signed_in(people.nurse)
    response = client.get(CASES)
    assert response["Location"] == f"{VERIFY}?next={quote(CASES, safe='')}"
    # A password alone cannot swap in a new authenticator.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "999999" if current_code(enrolled) != "999999" else "888888"})
    assert "Code is not correct" in wrong.content.decode()
    assert AuditEvent.objects.filter(action=Event.TWO_FACTOR_FAILED, actor=people.nurse).count() == 1
    assert client.get(CASES).status_code == 302
    enrolled.refresh_from_db()
    enrolled.throttle_reset()

    right = client.post(VERIFY, {"code": current_code(enrolled), "next": CASES})
    assert right.status_code == 302 and right["Location"] == CASES
    assert client.get(CASES).status_code == 200
    assert AuditEvent.objects.filter(action=Event.TWO_FACTOR_VERIFIED, actor=people.nurse).exists()


def test_verify_refuses_to_send_the_user_to_another_site(people: Personas, enrolled: TOTPDevice) -> None:
    response = signed_in(people.nurse).post(VERIFY, {"code": current_code(enrolled), "next": "https://evil.example/"})
    assert response["Location"] == CASES


def test_a_backup_code_works_once(people: Personas, enrolled: TOTPDevice) -> None:
    first = signed_in(people.nurse)
    assert first.post(VERIFY, {"code": "backup12", "next": CASES})["Location"] == CASES
    assert first.get(CASES).status_code == 200
    second = signed_in(people.nurse)
    assert second.post(VERIFY, {"code": "backup12"}).status_code == 200  # the form again, with its error
    assert second.get(CASES).status_code == 302


def test_new_backup_codes_replace_the_old(people: Personas, enrolled: TOTPDevice) -> None:
    client = signed_in(people.nurse)
    client.post(VERIFY, {"code": current_code(enrolled)})
    codes = client.post(reverse("accounts:backup_codes_renew")).context["codes"]
    assert "backup12" not in codes
    assert set(StaticToken.objects.filter(device__user=people.nurse).values_list("token", flat=True)) == set(codes)


@pytest.mark.parametrize("path", ["/families/", "/families/events/", "/families/feedback/"])
def test_public_family_pages_stay_open_before_two_factor(people: Personas, network, path: str) -> None:
    response = signed_in(people.nurse).get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/families/manage/", "/families/cases/1/", "/kpis/", "/admin/",
                                  "/accounts/users/"])
def test_staff_pages_need_two_factor(people: Personas, path: str) -> None:
    response = signed_in(people.admin_user).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_sign_out_works_before_two_factor(people: Personas) -> None:
    client = signed_in(people.nurse)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Event.SIGN_OUT, actor=people.nurse).count() == 1


def test_api_session_without_two_factor_is_refused_but_a_token_works(people: Personas) -> None:
    response = signed_in(people.nurse).get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["rule"] == "two_factor"
    _, key = token_services.token_create(user=people.nurse, name="tests")
    by_token = signed_in(people.nurse).get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert by_token.status_code == 200


def test_api_session_after_two_factor_works(people: Personas, enrolled: TOTPDevice) -> None:
    client = signed_in(people.nurse)
    client.post(VERIFY, {"code": current_code(enrolled)})
    assert client.get("/api/v1/cases/").status_code == 200
