"""The invitations page: who sees which invitations, their status, and revoking a pending one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from accounts.services import Event
from accounts.tests.conftest import signed_in
from core.models import AuditEvent
from core.testing.personas import Personas
from units.access import ROLE_ACTIONS, Action
from units.models import Role, Unit

LIST = reverse("accounts:invitation_list")
ACCEPT_URL = "http://testserver/accounts/invitations/TOKEN/"


def _revoke_url(invitation: Invitation) -> str:
    return reverse("accounts:invitation_revoke", args=[invitation.pk])


def _link(invitation: Invitation) -> str:
    return reverse("accounts:accept_invitation", args=[services.invitation_token(invitation)])


def _invitation(by: User, ods: str = "RWG02", email: str = "new.person@nhs.example", *,
                role: str = Role.UNIT_CLINICIAN, **state: Any) -> Invitation:
    """An invitation as the service makes it (no email: these tests are about the list), then `state`."""
    invitation = Invitation.objects.create(email=email, unit=Unit.objects.get(ods_code=ods), role=role,
                                           invited_by=by, expires_at=timezone.now() + timedelta(hours=48))
    if state:
        Invitation.objects.filter(pk=invitation.pk).update(**state)
        invitation.refresh_from_db()
    return invitation


def _rows(response: Any) -> dict[str, Invitation]:
    return {i.email: i for i in response.context["page"]}


@pytest.fixture
def unit_inviter(people: Personas, monkeypatch: pytest.MonkeyPatch) -> User:
    """No unit-scoped role may invite today; a consultant who could shows the unit scope of the page."""
    monkeypatch.setitem(ROLE_ACTIONS, Role.CONSULTANT, ROLE_ACTIONS[Role.CONSULTANT] | {Action.INVITE})
    return people.consultant  # at Addenbrooke's (RGT01)


def test_list_shows_each_invitation_with_who_when_and_status(people: Personas) -> None:
    now = timezone.now()
    _invitation(people.nurse, email="pending@nhs.example")
    accepted = _invitation(people.nurse, email="accepted@nhs.example", accepted_at=now,
                           accepted_user=people.clinician)
    _invitation(people.lead, "RGT01", "expired@nhs.example", role=Role.NETWORK_LEAD,
                expires_at=now - timedelta(minutes=1))
    _invitation(people.nurse, email="revoked@nhs.example", revoked_at=now, revoked_by=people.admin_user)

    response = signed_in(people.nurse).get(LIST)
    assert response.status_code == 200
    assert {email: i.status for email, i in _rows(response).items()} == {
        "pending@nhs.example": "pending", "accepted@nhs.example": "accepted",
        "expired@nhs.example": "expired", "revoked@nhs.example": "revoked"}
    html = response.content.decode()
    for text in ("Watford", "Unit clinician", "Network lead", "Nina Nurse", "Leo Lead", "Pending", "Accepted",
                 "Expired", "Revoked", "by Ada Admin", "as carl", timezone.localtime(accepted.expires_at)
                 .strftime("%d/%m/%Y %H:%M")):
        assert text in html, text
    # Only the pending one can be revoked; expired and revoked ones can be sent again.
    assert html.count('>Revoke<span') == 1 and html.count(">Invite again<span") == 2


def test_status_filter(people: Personas) -> None:
    _invitation(people.nurse, email="pending@nhs.example")
    _invitation(people.nurse, email="revoked@nhs.example", revoked_at=timezone.now(), revoked_by=people.nurse)
    client = signed_in(people.nurse)
    assert list(_rows(client.get(LIST, {"status": "revoked"}))) == ["revoked@nhs.example"]
    assert list(_rows(client.get(LIST, {"status": "pending"}))) == ["pending@nhs.example"]
    assert len(_rows(client.get(LIST, {"status": "nonsense"}))) == 2  # an unknown filter shows everything


def test_unit_inviter_sees_only_invitations_to_their_units(people: Personas, unit_inviter: User) -> None:
    _invitation(people.nurse, "RGT01", "ours@nhs.example")
    theirs = _invitation(people.nurse, "RWG02", "theirs@nhs.example")
    client = signed_in(unit_inviter)
    assert list(_rows(client.get(LIST))) == ["ours@nhs.example"]
    # Not even by guessing the id: another unit's invitation is not found, and stays pending.
    assert client.get(_revoke_url(theirs)).status_code == 404
    assert client.post(_revoke_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_open
    with pytest.raises(PermissionDenied):
        services.revoke_invitation(theirs, by=get_user_model().objects.get(pk=unit_inviter.pk))


def test_administrators_also_see_invitations_to_closed_units(people: Personas) -> None:
    _invitation(people.nurse, "RDE03", "closed@nhs.example")
    _invitation(people.nurse, "RWG02", "open@nhs.example")
    Unit.objects.filter(ods_code="RDE03").update(active=False)
    assert set(_rows(signed_in(people.admin_user).get(LIST))) == {"closed@nhs.example", "open@nhs.example"}
    assert set(_rows(signed_in(people.nurse).get(LIST))) == {"open@nhs.example"}


@pytest.mark.parametrize("persona", ["consultant", "clinician", "outsider"])
def test_roles_that_cannot_invite_cannot_list_or_revoke(people: Personas, persona: str) -> None:
    invitation = _invitation(people.nurse)
    client = signed_in(getattr(people, persona))
    assert client.get(LIST).status_code == 403
    assert client.get(_revoke_url(invitation)).status_code == 403
    assert client.post(_revoke_url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_open


def test_signed_out_visitors_are_sent_to_sign_in(people: Personas) -> None:
    invitation = _invitation(people.nurse)
    assert Client().get(LIST)["Location"].startswith(reverse("login"))
    assert Client().post(_revoke_url(invitation))["Location"].startswith(reverse("login"))
    invitation.refresh_from_db()
    assert invitation.is_open


def test_get_asks_for_confirmation_and_post_revokes_and_audits(people: Personas) -> None:
    invitation = _invitation(people.nurse)
    client = signed_in(people.lead)  # anyone who may invite to the unit, not only the sender

    confirm = client.get(_revoke_url(invitation))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Revoke the invitation to new.person@nhs.example?" in page and 'method="post"' in page
    invitation.refresh_from_db()
    assert invitation.is_open and not AuditEvent.objects.filter(action=Event.INVITATION_REVOKED).exists()

    done = client.post(_revoke_url(invitation))
    assert done["Location"] == LIST
    invitation.refresh_from_db()
    assert (invitation.status, invitation.revoked_by) == ("revoked", people.lead)
    assert invitation.revoked_at is not None and timezone.now() - invitation.revoked_at < timedelta(minutes=1)
    event = AuditEvent.objects.get(action=Event.INVITATION_REVOKED)
    assert (event.actor, event.object_type, event.object_id) == (people.lead, "invitation", str(invitation.pk))
    assert event.summary == "Revoked the invitation of new.person@nhs.example as Unit clinician at Watford"
    assert event.changes == {"status": ["pending", "revoked"]}
    assert "revoked: its link no longer works" in client.get(LIST).content.decode()


def test_revoke_needs_the_csrf_token(people: Personas) -> None:
    invitation = _invitation(people.nurse)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.nurse)
    assert client.post(_revoke_url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_open


def test_revoked_link_is_refused_with_a_clear_message(people: Personas) -> None:
    invitation = _invitation(people.nurse)
    link = _link(invitation)
    visitor = Client()
    assert visitor.get(link).status_code == 200
    signed_in(people.nurse).post(_revoke_url(invitation))

    page = visitor.get(link)
    assert page.status_code == 404 and "The invitation was revoked" in page.content.decode()
    accept = visitor.post(link, {"username": "newbie", "first_name": "New", "last_name": "Person",
                                 "password1": "quiet-ward-lantern-42", "password2": "quiet-ward-lantern-42"})
    assert accept.status_code == 404 and "The invitation was revoked" in accept.content.decode()
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_a_revoke_landing_while_the_form_is_open_stops_the_acceptance(people: Personas) -> None:
    """The invitee loaded the form, then the lead revoked: the service re-reads the locked row."""
    invitation = _invitation(people.nurse)
    services.revoke_invitation(invitation, by=people.nurse)
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(invitation, username="newbie", password="quiet-ward-lantern-42",
                                   first_name="New", last_name="Person")
    assert error.value.message_dict["__all__"] == [services.UNUSABLE_LINK[Invitation.Status.REVOKED]]
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_expired_link_is_refused_with_a_clear_message(people: Personas) -> None:
    invitation = _invitation(people.nurse, expires_at=timezone.now() - timedelta(seconds=1))
    page = Client().get(_link(invitation))
    assert page.status_code == 404 and "It has expired" in page.content.decode()


def test_used_link_says_so(people: Personas) -> None:
    invitation = _invitation(people.nurse, accepted_at=timezone.now(), accepted_user=people.clinician)
    page = Client().get(_link(invitation))
    assert page.status_code == 404 and "already been used" in page.content.decode()


@pytest.mark.parametrize("state", ["accepted", "expired", "revoked"])
def test_only_pending_invitations_can_be_revoked(people: Personas, state: str) -> None:
    now = timezone.now()
    states: dict[str, dict[str, Any]] = {"accepted": {"accepted_at": now, "accepted_user": people.clinician},
                                         "expired": {"expires_at": now - timedelta(minutes=1)},
                                         "revoked": {"revoked_at": now, "revoked_by": people.admin_user}}
    changes = states[state]
    invitation = _invitation(people.nurse, **changes)
    client = signed_in(people.nurse)
    # No confirmation page for something that cannot be revoked; GET still changes nothing.
    assert client.get(_revoke_url(invitation))["Location"] == LIST
    assert client.post(_revoke_url(invitation))["Location"] == LIST
    invitation.refresh_from_db()
    assert invitation.status == state and invitation.revoked_by in (None, people.admin_user)
    assert not AuditEvent.objects.filter(action=Event.INVITATION_REVOKED).exists()
    assert f"This invitation is {state}: only a pending invitation can be revoked" in (
        client.get(LIST).content.decode())


def test_invite_again_fills_the_form_from_the_old_invitation(people: Personas) -> None:
    invitation = _invitation(people.nurse, revoked_at=timezone.now(), revoked_by=people.nurse)
    client = signed_in(people.nurse)
    html = client.get(LIST).content.decode()
    again = f"?email=new.person%40nhs.example&amp;unit={invitation.unit_id}&amp;role=unit_clinician"
    assert again in html
    again_query: dict[str, str | int] = {"email": "new.person@nhs.example", "unit": invitation.unit_id,
                                          "role": "unit_clinician"}
    form = client.get(reverse("accounts:invite"), again_query)
    assert form.context["form"].initial == {"email": "new.person@nhs.example", "unit": str(invitation.unit_id),
                                            "role": "unit_clinician"}
    assert Invitation.objects.count() == 1  # nothing is sent until the form is posted


def test_invitation_pages_link_to_the_list(people: Personas) -> None:
    assert LIST in signed_in(people.nurse).get(reverse("accounts:invite")).content.decode()
    assert LIST in signed_in(people.admin_user).get(reverse("accounts:user_list")).content.decode()


def test_revocations_are_in_the_sign_in_log(people: Personas) -> None:
    services.revoke_invitation(_invitation(people.nurse), by=people.nurse)
    log = signed_in(people.admin_user).get(reverse("accounts:sign_in_log"), {"kind": "account"})
    assert "Invitation revoked" in log.content.decode()


def test_the_account_header_links_to_the_invitations_page_for_those_who_may_invite(people: Personas) -> None:
    header = signed_in(people.nurse).get(reverse("pathway:case_list")).content.decode().split("</header>")[0]
    assert f'href="{reverse("accounts:invitation_list")}">Invitations</a>' in header
    header = signed_in(people.clinician).get(reverse("pathway:case_list")).content.decode().split("</header>")[0]
    assert reverse("accounts:invitation_list") not in header
