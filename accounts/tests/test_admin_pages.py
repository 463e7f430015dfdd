"""The administrators' recovery route: resetting two-factor, and the sign-in log with its filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import Event
from accounts.tests.conftest import current_code, signed_in
from core import audit
from core.models import AuditEvent
from core.testing.personas import Personas

LOG = reverse("accounts:sign_in_log")


@pytest.fixture
def admin_client(people: Personas, settings) -> Client:
    """An administrator who has passed two-factor, with enforcement on."""
    settings.OTP_REQUIRED = True
    device = TOTPDevice.objects.create(user=people.admin_user, name="app", confirmed=True)
    client = signed_in(people.admin_user)
    client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    return client


def test_reset_two_factor_removes_devices_and_forces_set_up(people: Personas, admin_client: Client) -> None:
    TOTPDevice.objects.create(user=people.nurse, name="app", confirmed=True)
    StaticDevice.objects.create(user=people.nurse, name="Backup codes")
    listing = admin_client.get(reverse("accounts:user_list"))
    assert [r["two_factor"] for r in listing.context["rows"] if r["user"] == people.nurse] == [True]
    response = admin_client.post(reverse("accounts:reset_two_factor", args=[people.nurse.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=people.nurse).exists()
    assert not StaticDevice.objects.filter(user=people.nurse).exists()
    event = AuditEvent.objects.get(action=Event.TWO_FACTOR_RESET)
    assert (event.actor, event.object_id) == (people.admin_user, "nina")
    nurse = signed_in(people.nurse)
    assert nurse.get(reverse("pathway:case_list"))["Location"].startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.parametrize("persona", ["nurse", "lead", "consultant", "clinician"])
def test_only_administrators_reach_the_recovery_pages(people: Personas, persona: str) -> None:
    client = signed_in(getattr(people, persona))
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(LOG).status_code == 403
    assert client.post(reverse("accounts:reset_two_factor", args=[people.admin_user.pk])).status_code == 403


def test_reset_needs_post(people: Personas, admin_client: Client) -> None:
    assert admin_client.get(reverse("accounts:reset_two_factor", args=[people.nurse.pk])).status_code == 405


@pytest.fixture
def log_events(people: Personas) -> None:
    Client().post(reverse("login"), {"username": "nina", "password": "wrong-password-1"})
    Client().post(reverse("login"), {"username": "nina", "password": "correct-horse-battery"})
    audit.record(actor=people.lead, action=AuditEvent.Action.EXPORT, object_type="case_csv", summary="42 cases")
    audit.record(actor=people.nurse, action=AuditEvent.Action.UPDATE, object_type="case", summary="not a sign-in")


def _summaries(client: Client, **filters: str) -> list[str]:
    return [event.summary for event in client.get(LOG, filters).context["page"]]


@pytest.mark.usefixtures("log_events")
def test_sign_in_log_shows_sign_ins_failures_and_exports(admin_client: Client) -> None:
    everything = _summaries(admin_client)
    assert "Failed sign-in for username 'nina'" in everything
    assert "nina signed in with a password" in everything
    assert "42 cases" in everything
    assert "not a sign-in" not in everything
    assert _summaries(admin_client, kind="failure") == ["Failed sign-in for username 'nina'"]
    assert _summaries(admin_client, kind="export") == ["42 cases"]
    assert set(_summaries(admin_client, username="nina")) == {"Failed sign-in for username 'nina'",
                                                              "nina signed in with a password"}
    assert _summaries(admin_client, date_from="01/01/2000", date_to="02/01/2000") == []
    page = admin_client.get(LOG).content.decode()
    assert "Sign-in failed" in page and "Signed in (password)" in page


def test_sign_in_log_explains_a_backwards_date_range(admin_client: Client) -> None:
    response = admin_client.get(LOG, {"date_from": "02/01/2026", "date_to": "01/01/2026"})
    assert response.context["form"].errors["date_to"] == ["To must be on or after From"]


def test_sign_in_log_pages_keep_the_filter(people: Personas, admin_client: Client) -> None:
    for n in range(51):
        audit.record(actor=people.lead, action=AuditEvent.Action.EXPORT, object_type="case_csv", summary=f"{n} rows")
    html = admin_client.get(LOG, {"kind": "export"}).content.decode()
    assert 'aria-label="Pagination"' in html and "hx-boost" not in html  # whole-page links here
    assert 'href="?kind=export&amp;page=2"' in html
    second = admin_client.get(LOG, {"kind": "export", "page": "2"})
    assert len(second.context["page"]) == 1 and "Page 1 of 2" in second.content.decode()
