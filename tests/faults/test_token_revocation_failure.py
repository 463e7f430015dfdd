"""A credential change never leaves a live token behind (issue 12, medium): if revoking the tokens fails,
the password change (or account closure) fails with it and nothing is half-written."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from rest_framework.test import APIClient

from accounts import services as account_services
from api import services
from core.testing.personas import Personas

OLD = "correct-horse-battery"


def _fail(**kwargs: object) -> None:
    raise DatabaseError("the token table is unavailable")


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/units/").status_code == 200


def test_a_password_change_whose_revocation_fails_changes_nothing(people: Personas,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _, key = services.token_create(user=people.nurse, name="x")
    monkeypatch.setattr(services, "token_revoke", _fail)
    with pytest.raises(DatabaseError):
        account_services.set_password(people.nurse, "a-completely-new-one-42", reset=False)
    people.nurse.refresh_from_db()
    assert people.nurse.check_password(OLD)  # the old password still stands, and so may its token
    monkeypatch.undo()
    assert _works(key)
    account_services.set_password(people.nurse, "a-completely-new-one-42", reset=False)
    assert not _works(key)


def test_an_account_closure_whose_revocation_fails_changes_nothing(people: Personas,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    services.token_create(user=people.clinician, name="x")
    monkeypatch.setattr(services, "token_revoke", _fail)
    people.clinician.is_active = False
    with pytest.raises(DatabaseError), transaction.atomic():  # as the admin's change page saves
        people.clinician.save()
    people.clinician.refresh_from_db()
    assert people.clinician.is_active
