"""Personal tokens: made on the tokens page, shown once, stored only as a hash, revocable by their owner
(and by an administrator in the admin); a revoked token is refused at once with a 401."""

from __future__ import annotations

import hashlib
import re

from django.test import Client
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from core.models import AuditEvent
from core.testing.personas import Personas
from pathway.models import Case


def _page(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_token_made_on_the_page_is_shown_once_and_stored_as_a_hash(people: Personas) -> None:
    page = _page(people.nurse)
    refused = page.post("/api/tokens/", {"name": "  "})
    assert "Enter a name for the token" in refused.content.decode()
    assert not ApiToken.objects.exists()
    made = page.post("/api/tokens/", {"name": "Audit extract"})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"] or "no-cache" in made["Cache-Control"]
    key = re.search(r'data-testid="new-key">([^<]+)<', made.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (people.nurse, "Audit extract")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values().get())  # only the hash and the first characters
    assert key.startswith(token.key_start)
    shown_again = page.get("/api/tokens/").content.decode()
    assert key not in shown_again
    assert "Audit extract" in shown_again
    assert AuditEvent.objects.filter(object_type="api.token", actor=people.nurse, action="create").exists()


def test_revoked_token_is_refused_with_401(people: Personas) -> None:
    token, key = services.token_create(user=people.nurse, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/cases/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = _page(people.nurse)
    response = page.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    refused = client.get("/api/v1/cases/")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["rule"] == "authentication_failed"
    token.refresh_from_db()
    assert token.revoked_by == people.nurse
    assert AuditEvent.objects.filter(object_type="api.token", object_id=str(token.pk), action="update",
                                     summary__startswith="Revoked").count() == 1


def test_nobody_else_can_revoke_my_token_on_the_page(people: Personas) -> None:
    token, _ = services.token_create(user=people.nurse, name="script")
    assert _page(people.clinician).post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_admin_revokes_any_token(people: Personas) -> None:
    token, key = services.token_create(user=people.clinician, name="script")
    people.admin_user.is_staff = people.admin_user.is_superuser = True
    people.admin_user.save()
    admin = _page(people.admin_user)
    listed = admin.get("/admin/api/apitoken/")
    assert "script" in listed.content.decode()
    admin.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_by == people.admin_user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/units/").status_code == 401


def test_writes_with_a_token_are_audited_as_its_user(people: Personas) -> None:
    _, key = services.token_create(user=people.consultant, name="EPR", scopes=["read:pseudonymised", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")  # "Token" is accepted as well as "Bearer"
    response = client.post("/api/v1/cases/", {
        "case_ref": "EPR-1", "birth_datetime": "2024-06-01T10:00", "sex": "male", "gestation_weeks": 40,
        "gestation_days": 0, "birth_weight_g": 3500, "therapeutic_hypothermia": "no", "birth_unit_ods": "RGT01",
    }, format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(case_ref="EPR-1")
    assert (case.created_by, case.updated_by) == (people.consultant, people.consultant)
    event = AuditEvent.objects.get(object_type="pathway.case", object_id=str(case.pk))
    assert event.actor == people.consultant


def test_disabled_user_token_stops_working(people: Personas) -> None:
    _, key = services.token_create(user=people.clinician, name="script")
    people.clinician.is_active = False
    people.clinician.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/cases/").status_code == 401
