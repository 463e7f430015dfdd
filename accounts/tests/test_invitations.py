"""Invitations: who may invite whom, the signed 48-hour single-use link, and account creation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import Event
from accounts.tests.conftest import signed_in
from core.models import AuditEvent
from core.testing.personas import Personas
from units.models import Membership, Role, Unit

INVITE = reverse("accounts:invite")


def _invite(client: Client, role: str = Role.UNIT_CLINICIAN, ods: str = "RWG02") -> Any:
    return client.post(INVITE, {"email": "New.Person@nhs.example", "unit": Unit.objects.get(ods_code=ods).pk,
                                "role": role})


def _link() -> str:
    found = re.search(r"http://testserver(/accounts/invitations/\S+/)", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def _accept(client: Client, link: str, **overrides: str) -> Any:
    data = {"username": "newbie", "first_name": "New", "last_name": "Person",
            "password1": "quiet-ward-lantern-42", "password2": "quiet-ward-lantern-42", **overrides}
    return client.post(link, data)


def test_nurse_invites_and_the_invitee_joins_then_sets_up_two_factor(people: Personas, settings) -> None:
    response = _invite(signed_in(people.nurse))
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@nhs.example", Role.UNIT_CLINICIAN, people.nurse)
    assert timedelta(hours=47, minutes=59) < invitation.expires_at - timezone.now() <= timedelta(hours=48)
    assert mail.outbox[-1].to == ["new.person@nhs.example"]
    assert AuditEvent.objects.filter(action=Event.INVITED, actor=people.nurse).exists()

    settings.OTP_REQUIRED = True  # the new account meets two-factor set-up straight away
    visitor = Client()
    link = _link()
    page = visitor.get(link)
    assert page.status_code == 200 and "Watford" in page.content.decode()
    done = _accept(visitor, link)
    assert done["Location"] == reverse("accounts:two_factor_setup")
    user = get_user_model().objects.get(username="newbie")
    assert user.email == "new.person@nhs.example" and user.check_password("quiet-ward-lantern-42")
    assert list(Membership.objects.filter(user=user).values_list("unit__ods_code", "role")) == [
        ("RWG02", Role.UNIT_CLINICIAN)]
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert AuditEvent.objects.filter(action=Event.INVITATION_ACCEPTED, actor=user).exists()
    assert visitor.get(reverse("pathway:case_list"))["Location"].startswith(reverse("accounts:two_factor_setup"))

    again = Client().get(link)
    assert again.status_code == 404 and "does not work" in again.content.decode()


def test_link_expires_after_48_hours(people: Personas) -> None:
    _invite(signed_in(people.nurse))
    link = _link()
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1)):
        assert Client().get(link).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(hours=47)):
        assert Client().get(link).status_code == 200


def test_tampered_link_is_refused(people: Personas) -> None:
    _invite(signed_in(people.nurse))
    assert Client().get(_link()[:-3] + "xx/").status_code == 404


def test_weak_password_names_the_field_and_creates_nothing(people: Personas) -> None:
    _invite(signed_in(people.nurse))
    link = _link()
    response = _accept(Client(), link, password1="newbie12345", password2="newbie12345")
    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert any("at least 12 characters" in e for e in errors)
    assert not get_user_model().objects.filter(username="newbie").exists()
    assert Invitation.objects.get().accepted_at is None


def test_taken_username_and_mismatched_passwords_are_explained(people: Personas) -> None:
    _invite(signed_in(people.nurse))
    link = _link()
    taken = _accept(Client(), link, username="NINA")
    assert taken.context["form"].errors["username"] == ["That username is taken: choose another"]
    mismatch = _accept(Client(), link, password2="something-else-entirely")
    assert mismatch.context["form"].errors["password2"] == ["Password again must match the password"]
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize(("persona", "role", "allowed"), [
    ("nurse", Role.CONSULTANT, True),
    ("nurse", Role.ADMINISTRATOR, False),   # nobody hands out more than they hold
    ("nurse", Role.NETWORK_LEAD, False),
    ("lead", Role.NETWORK_LEAD, True),
    ("lead", Role.UNIT_CLINICIAN, False),   # leads do not edit records, so cannot grant editing
    ("admin_user", Role.ADMINISTRATOR, True),
])
def test_inviters_grant_only_roles_within_their_own(people: Personas, persona: str, role: str,
                                                    allowed: bool) -> None:
    response = _invite(signed_in(getattr(people, persona)), role=role)
    assert Invitation.objects.exists() is allowed
    if not allowed:
        assert "role" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["consultant", "clinician"])
def test_unit_scoped_roles_cannot_invite(people: Personas, persona: str) -> None:
    assert signed_in(getattr(people, persona)).get(INVITE).status_code == 403
