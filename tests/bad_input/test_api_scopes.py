"""Hostile attempts to widen what a token may do (issue 12, high): forged scopes on the tokens page or to
the service, identifiable reads for roles that may not export them, writes with a read-only token by every
method. Each is refused with a message and leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from api import services
from api.models import ApiToken, Scope
from api.tests.conftest import token_client
from api.tests.test_cases_api import new_case
from core.testing.personas import Personas
from pathway.models import Case

FORGED_POSTS: dict[str, dict[str, Any]] = {
    "unknown read": {"name": "x", "read": "read:everything"},
    "identifiable for a consultant": {"name": "x", "read": "read:identifiable", "reason": "audit"},
    "scopes field smuggled": {"name": "x", "scopes": "read:identifiable", "reason": "audit"},
    "write as the read": {"name": "x", "read": "write", "reason": "audit"},
    "NUL in the name": {"name": "x\x00", "read": "read:pseudonymised"},
    "very long reason": {"name": "x", "read": "read:identifiable", "reason": "r" * 10_000},
}


@pytest.mark.parametrize("name", sorted(FORGED_POSTS))
def test_forged_token_page_posts_never_give_identifiable_reads(people: Personas, name: str) -> None:
    page = Client()
    page.force_login(people.consultant)
    response = page.post("/api/tokens/", FORGED_POSTS[name])
    assert response.status_code in {200, 400}
    assert not ApiToken.objects.filter(scopes__contains=[Scope.READ_IDENTIFIABLE]).exists()
    assert all(set(token.scopes) <= {Scope.READ_PSEUDONYMISED} for token in ApiToken.objects.all())


@pytest.mark.parametrize("scopes", [
    ["read:identifiable "], ["READ:IDENTIFIABLE"], ["read:identifiable", "read:identifiable"], ["admin"],
    ["write", "write"], ["read:pseudonymised", "read:identifiable", "write"],
])
def test_odd_scope_lists_are_refused_or_normalised(people: Personas, scopes: list[str]) -> None:
    try:
        token, _ = services.token_create(user=people.nurse, name="x", scopes=scopes, reason="register")
    except ValidationError as refused:
        assert "scopes" in refused.message_dict
        assert not ApiToken.objects.exists()
    else:
        assert sorted(set(scopes)) == token.scopes and set(token.scopes) <= set(Scope.values)


@pytest.mark.parametrize("persona", ["lead", "consultant", "clinician", "outsider"])
def test_identifiable_reads_are_refused_to_roles_that_may_not_export_them(people: Personas, persona: str) -> None:
    with pytest.raises(ValidationError):
        services.token_create(user=getattr(people, persona), name="x", scopes=[Scope.READ_IDENTIFIABLE],
                              reason="I would like to")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_changes_nothing_by_any_method(people: Personas, method: str) -> None:
    client = token_client(people.nurse, scopes=[Scope.READ_PSEUDONYMISED])
    url = "/api/v1/cases/" if method == "post" else "/api/v1/cases/1/"
    response = getattr(client, method)(url, {**new_case(), "version": 1}, format="json")
    assert response.status_code in {403, 405}
    assert response["Content-Type"] == "application/json"
    if response.status_code == 403:
        assert response.json()["errors"][0]["rule"] == "scope"
    assert Case.objects.count() == 0
