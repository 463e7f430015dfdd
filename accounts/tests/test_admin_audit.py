"""The admin is no side door (issue 12): its sign-in goes through the one sign-in page (so it is in the
sign-in log), and an administrator's changes to memberships (role grants), units, users and tokens there
are each audited with their name and the fields old → new."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import Event
from api import services as token_services
from core.models import AuditEvent
from core.testing.personas import Personas
from units.models import Membership, Role, Unit

ADMIN_PASSWORD = "admin-password-for-tests-1"


@pytest.fixture
def admin_client(people: Personas) -> Client:
    user = people.admin_user
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _form_data(client: Client, url: str) -> dict[str, Any]:
    """What the admin's change form would post back unchanged (its initial values, as a browser sends them),
    with every inline formset's rows and management form (a unit's placements, say)."""
    context = client.get(url).context
    data = _initial_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
        for form in formset.forms:
            data.update(_initial_data(form))
    return data


def _initial_data(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if isinstance(value, Model):
            value = value.pk
        if isinstance(field.widget, forms.MultiWidget):  # split date and time
            local = timezone.localtime(value) if isinstance(value, datetime) else None
            data[f"{key}_0"] = local.date().isoformat() if local else ""
            data[f"{key}_1"] = local.time().isoformat("seconds") if local else ""
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, date | Decimal | int):
            data[key] = str(value)
        elif value is not None:
            data[key] = value
    return data


def _events(object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=object_type).order_by("id"))


def test_the_admin_login_is_the_sign_in_page_so_it_is_in_the_sign_in_log(people: Personas, settings) -> None:
    settings.AXES_ENABLED = True
    user = people.admin_user
    user.is_staff = user.is_superuser = True
    user.set_password(ADMIN_PASSWORD)
    user.save()
    client = Client()
    to_sign_in = client.get("/admin/")["Location"]
    assert client.get(to_sign_in)["Location"] == f"{reverse('login')}?next=/admin/"
    # Credentials posted to the admin's own form sign nobody in.
    client.post("/admin/login/", {"username": user.username, "password": ADMIN_PASSWORD})
    assert "_auth_user_id" not in client.session
    signed = client.post(f"{reverse('login')}?next=/admin/", {"username": user.username, "password": ADMIN_PASSWORD})
    assert signed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    event = AuditEvent.objects.get(action=Event.SIGN_IN)
    assert (event.actor, event.object_id) == (user, user.username)
    log = client.get(reverse("accounts:sign_in_log")).content.decode()
    assert "Signed in (password)" in log


def test_role_grants_in_the_admin_are_audited(people: Personas, admin_client: Client) -> None:
    unit = Unit.objects.get(ods_code="RDE03")
    added = admin_client.post(reverse("admin:units_membership_add"),
                              {"user": people.clinician.pk, "unit": unit.pk, "role": Role.NURSE_SPECIALIST})
    assert added.status_code == 302
    membership = Membership.objects.get(user=people.clinician, unit=unit)
    created = _events("units.membership")[-1]
    assert (created.actor, created.action, created.object_id) == (people.admin_user, "create", str(membership.pk))
    assert created.changes["role"] == ["", Role.NURSE_SPECIALIST]
    assert created.changes["unit"] == ["", "RDE03"]
    url = reverse("admin:units_membership_change", args=[membership.pk])
    changed = admin_client.post(url, {**_form_data(admin_client, url), "role": Role.ADMINISTRATOR})
    assert changed.status_code == 302
    update = _events("units.membership")[-1]
    assert (update.action, update.changes) == ("update", {"role": [Role.NURSE_SPECIALIST, Role.ADMINISTRATOR]})
    removed = admin_client.post(reverse("admin:units_membership_changelist"),
                                {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"})
    assert removed.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    deleted = _events("units.membership")[-1]
    assert (deleted.actor, deleted.action, deleted.changes["role"]) == (people.admin_user, "delete",
                                                                        [Role.ADMINISTRATOR, ""])


def test_unit_changes_in_the_admin_are_audited(people: Personas, admin_client: Client) -> None:
    unit = Unit.objects.get(ods_code="RGN90")
    url = reverse("admin:units_unit_change", args=[unit.pk])
    data = _form_data(admin_client, url)
    data.pop("active", None)  # untick "active"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = _events("units.unit")[-1]
    assert (event.actor, event.action, event.changes) == (people.admin_user, "update", {"active": ["yes", "no"]})


def test_closing_an_account_in_the_admin_is_audited_and_revokes_its_tokens(people: Personas,
                                                                           admin_client: Client) -> None:
    token, _ = token_services.token_create(user=people.clinician, name="extract")
    url = reverse("admin:auth_user_change", args=[people.clinician.pk])
    data = _form_data(admin_client, url)
    data.pop("is_active", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = _events("auth.user")[-1]
    assert (event.actor, event.changes["is_active"]) == (people.admin_user, ["yes", "no"])
    assert "password" not in event.changes
    token.refresh_from_db()
    assert token.revoked_reason == "the account was deactivated"


def test_a_password_set_in_the_admin_is_audited_without_the_hash(people: Personas, admin_client: Client) -> None:
    url = reverse("admin:auth_user_password_change", args=[people.clinician.pk])
    response = admin_client.post(url, {"password1": "a-brand-new-pass-42", "password2": "a-brand-new-pass-42",
                                       "usable_password": "true"})
    assert response.status_code == 302
    event = _events("auth.user")[-1]
    assert event.actor == people.admin_user
    assert event.changes == {"password": ["(hidden)", "(changed)"]}
    assert "pbkdf2" not in str(AuditEvent.objects.values_list("changes", flat=True))


def test_token_revoked_in_the_admin_is_audited_with_the_administrator(people: Personas,
                                                                     admin_client: Client) -> None:
    token, _ = token_services.token_create(user=people.clinician, name="extract")
    admin_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    event = _events("api.token")[-1]
    assert event.actor == people.admin_user
    assert event.summary == f"Revoked API token {token} of {people.clinician}: revoked by an administrator"
