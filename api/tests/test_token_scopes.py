"""Token scopes (issue 12, high): what a token reads and whether it writes is chosen when it is made.

Without `read:identifiable` a case comes back pseudonymised exactly as the CSV export pseudonymises it (the
same cells, from the same code); only roles that may export identifiable data may hold that scope, with a
reason; writes need `write`; and every response carrying case rows is in the export log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken, Scope
from api.scopes import pseudonym_key
from api.tests.conftest import token_client
from core.models import AuditEvent
from core.testing.personas import Personas
from pathway import csv_io
from pathway.dataset import COLUMNS
from pathway.models import Case
from reporting.models import ExportRecord
from units.models import Membership

NHS_NUMBER = "9434765919"


def _client(token_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
    return client


def _same_cell(api_value: Any, csv_cell: str) -> bool:
    if api_value is None:
        return csv_cell == ""
    if isinstance(api_value, list):  # a set column (mri_sequences): the CSV writes it `;`-separated
        return ";".join(api_value) == csv_cell
    if isinstance(api_value, str) and "T" in api_value and api_value[:4].isdigit() and ":" in api_value:
        return datetime.fromisoformat(api_value) == datetime.fromisoformat(csv_cell)
    return str(api_value) == csv_cell


def test_default_token_reads_cases_pseudonymised_exactly_as_the_csv_export(
        people: Personas, cases: dict[str, Case]) -> None:
    case = cases["A"]
    Case.objects.filter(pk=case.pk).update(nhs_number=NHS_NUMBER)
    case.refresh_from_db()
    token, key = services.token_create(user=people.nurse, name="analysis")  # no scopes chosen: the default
    assert token.scopes == [Scope.READ_PSEUDONYMISED]
    row = _client(key).get(f"/api/v1/cases/{case.pk}/").json()
    assert row["nhs_number"] == ""
    assert row["case_ref"].startswith("P-") and row["case_ref"] != case.case_ref
    assert row["birth_datetime"] == "2024-05-01T00:00:00+01:00"  # born 14/05/2024 03:10: the 1st of its month
    # Every column is the pseudonymised CSV's own cell, made by the same code with this token's key.
    expected = dict(zip(COLUMNS, csv_io.case_row(case, csv_io.Pseudonymiser(pseudonym_key(token))), strict=True))
    different = {column: (row[column], expected[column]) for column in COLUMNS
                 if not _same_cell(row[column], expected[column])}
    assert different == {}
    # The same pseudonym on every read with this token (a sync can follow a case), another with another token.
    listed = _client(key).get("/api/v1/cases/").json()["results"]
    assert {r["case_ref"] for r in listed if r["id"] == case.pk} == {row["case_ref"]}
    _, other = services.token_create(user=people.nurse, name="other")
    assert _client(other).get(f"/api/v1/cases/{case.pk}/").json()["case_ref"] != row["case_ref"]
    # No real time anywhere: the record-keeping times move back with birth, and free text is left out.
    assert datetime.fromisoformat(row["created_at"]) < case.created_at
    assert row["entered_in_error_reason"] == ""


def test_identifiable_token_reads_real_references_and_nhs_numbers(people: Personas, cases: dict[str, Case]) -> None:
    case = cases["A"]
    Case.objects.filter(pk=case.pk).update(nhs_number=NHS_NUMBER)
    _, key = services.token_create(user=people.nurse, name="register", scopes=[Scope.READ_IDENTIFIABLE],
                                   reason="Regional register reconciliation")
    row = _client(key).get(f"/api/v1/cases/{case.pk}/").json()
    assert (row["case_ref"], row["nhs_number"]) == ("CASE-A", NHS_NUMBER)
    assert row["birth_datetime"] == "2024-05-14T03:10:00+01:00"


@pytest.mark.parametrize("persona", ["consultant", "clinician", "lead", "outsider"])
def test_only_roles_that_export_identifiable_data_may_hold_read_identifiable(people: Personas,
                                                                             persona: str) -> None:
    user = getattr(people, persona)
    with pytest.raises(ValidationError) as refused:
        services.token_create(user=user, name="x", scopes=[Scope.READ_IDENTIFIABLE], reason="Because")
    assert "only for clinical nurse specialists and administrators" in str(refused.value)
    # Not offered on the page, and a forged form post is refused the same way.
    page = Client()
    page.force_login(user)
    assert "read:identifiable" not in page.get("/api/tokens/").content.decode()
    forged = page.post("/api/tokens/", {"name": "x", "read": "read:identifiable", "reason": "Because"})
    assert forged.status_code == 400
    assert not ApiToken.objects.exists()


def test_identifiable_token_needs_a_reason(people: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.token_create(user=people.nurse, name="x", scopes=[Scope.READ_IDENTIFIABLE], reason="  ")
    assert refused.value.message_dict == {"reason": ["Give the reason for the identifiable export: it is kept in "
                                                     "the audit trail"]}
    page = Client()
    page.force_login(people.nurse)
    refused_page = page.post("/api/tokens/", {"name": "x", "read": "read:identifiable", "reason": ""})
    assert refused_page.status_code == 400
    assert "Give the reason for the identifiable export" in refused_page.content.decode()
    made = page.post("/api/tokens/", {"name": "register", "read": "read:identifiable", "write": "on",
                                      "reason": "Regional register"})
    assert made.status_code == 200
    token = ApiToken.objects.get()
    assert (token.scopes, token.reason) == ([Scope.READ_IDENTIFIABLE, Scope.WRITE], "Regional register")
    page_text = made.content.decode()
    assert "read:identifiable" in page_text and "write" in page_text  # the tokens page shows the scopes
    event = AuditEvent.objects.get(object_type="api.token", action="create")
    assert event.changes["scopes"] == [Scope.READ_IDENTIFIABLE, Scope.WRITE]
    assert event.changes["reason"] == "Regional register"


@pytest.mark.parametrize("scopes", [[], ["read:everything"], [Scope.READ_PSEUDONYMISED, Scope.READ_IDENTIFIABLE],
                                    [Scope.WRITE]])
def test_scopes_out_of_the_list_are_refused(people: Personas, scopes: list[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        services.token_create(user=people.nurse, name="x", scopes=scopes, reason="r")
    assert "scopes" in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_role_taken_away_narrows_an_identifiable_token_at_once(people: Personas, cases: dict[str, Case]) -> None:
    _, key = services.token_create(user=people.nurse, name="register", scopes=[Scope.READ_IDENTIFIABLE],
                                   reason="Register")
    Membership.objects.filter(user=people.nurse).update(role="consultant")
    row = _client(key).get(f"/api/v1/cases/{cases['C'].pk}/").json()
    assert row["case_ref"].startswith("P-")
    assert ExportRecord.objects.get().identifiable is False


def test_writes_need_the_write_scope(people: Personas, cases: dict[str, Case]) -> None:
    case = cases["A"]
    read_only = token_client(people.nurse, scopes=[Scope.READ_IDENTIFIABLE])
    refused = [
        read_only.post("/api/v1/cases/", {"case_ref": "NEW-1"}, format="json"),
        read_only.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "apgar_10": 9}, format="json"),
        read_only.put(f"/api/v1/cases/{case.pk}/", {"version": 1}, format="json"),
        read_only.post(f"/api/v1/cases/{case.pk}/entered-in-error/", {"version": 1, "reason": "x"}, format="json"),
    ]
    for response in refused:
        assert response.status_code == 403
        assert response.json()["errors"] == [{"field": None, "rule": "scope", "message": "This token may only "
                                              "read: make a token with the write scope to add or change cases"}]
    case.refresh_from_db()
    assert (case.version, case.apgar_10, case.entered_in_error) == (1, 4, False)
    assert not Case.objects.filter(case_ref="NEW-1").exists()
    writer = token_client(people.nurse, scopes=[Scope.READ_PSEUDONYMISED, Scope.WRITE])
    changed = writer.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "apgar_10": 9}, format="json")
    assert changed.status_code == 200
    assert changed.json()["case_ref"].startswith("P-")  # the echo of a write is read as the token reads


def test_every_read_of_case_rows_is_in_the_export_log(people: Personas, cases: dict[str, Case]) -> None:
    pseudo, pseudo_key = services.token_create(user=people.lead, name="analysts")
    ident, ident_key = services.token_create(user=people.nurse, name="register", scopes=[Scope.READ_IDENTIFIABLE],
                                             reason="Register reconciliation")
    assert _client(pseudo_key).get("/api/v1/cases/?limit=2").status_code == 200
    assert _client(ident_key).get(f"/api/v1/cases/{cases['B'].pk}/").status_code == 200
    assert _client(pseudo_key).get("/api/v1/units/").status_code == 200  # no case rows: not an export
    logged = list(ExportRecord.objects.order_by("id").values_list(
        "by", "api_token", "kind", "rows", "identifiable", "reason", "scope"))
    assert logged == [
        (people.lead.pk, pseudo.pk, "api_cases", 2, False, "", "/api/v1/cases/?limit=2"),
        (people.nurse.pk, ident.pk, "api_cases", 1, True, "Register reconciliation", f"/api/v1/cases/{cases['B'].pk}/"),
    ]
    events = AuditEvent.objects.filter(object_type="api.case_read").order_by("id")
    assert [(e.actor, e.changes["rows"], e.changes["identifiable"]) for e in events] == [
        (people.lead, 2, False), (people.nurse, 1, True)]
    # The network lead's export log page lists them.
    page = Client()
    page.force_login(people.lead)
    text = page.get("/reports/exports/").content.decode()
    assert "Cases read through the API" in text and "Register reconciliation" in text
