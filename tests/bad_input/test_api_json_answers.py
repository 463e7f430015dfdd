"""The API always answers JSON in the errors shape (issue 12): oversized bodies (413), malformed JSON, NUL
bytes in the address, filters and values (400 naming the field), unknown addresses, malformed paging, and a
server error; never an HTML page, never a 500 for bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import Scope
from api.tests.conftest import token_client
from api.tests.test_cases_api import new_case
from api.views import CaseViewSet
from core.testing.personas import Personas
from pathway.models import Case

CASES = "/api/v1/cases/"


@pytest.fixture
def nurse(people: Personas) -> APIClient:
    return token_client(people.nurse, scopes=[Scope.READ_IDENTIFIABLE, Scope.WRITE])


def _errors(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    errors = response.json()["errors"]
    assert errors and all(set(e) == {"field", "rule", "message"} and e["message"] for e in errors)
    return errors


@pytest.mark.parametrize("body", [
    b"x" * (3 * 1024 * 1024),
    json.dumps(new_case(case_ref="X" * (3 * 1024 * 1024))).encode(),
], ids=["3MB-of-text", "3MB-of-JSON"])
def test_oversized_body_is_a_json_413(nurse: APIClient, body: bytes) -> None:
    errors = _errors(nurse.generic("POST", CASES, body, content_type="application/json"), 413)  # type: ignore[arg-type]  # DRF takes bytes
    assert errors[0]["rule"] == "too_large"
    assert Case.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/units/RGT%0001/", "/api/v1/cases/1%00/", "/api/v1/cases/%00/",
                                  "/api/v1/kpi-aggregates/%00/"])
def test_nul_in_the_address_is_a_400_naming_it(nurse: APIClient, path: str) -> None:
    [error] = _errors(nurse.get(path), 400)
    assert error["field"] == "path" or "the address" in error["message"]  # api.middleware or an outer check


@pytest.mark.parametrize(("query", "field"), [
    ("unit=RGT%0001", "unit"), ("stage=%00", "stage"), ("year=2024%00", "year"), ("updated_since=%00", "updated_since"),
    ("include_entered_in_error=%00", "include_entered_in_error"), ("limit=%00", "limit"), ("offset=1%00", "offset"),
    ("limit=abc", "limit"), ("offset=-1", "offset"), ("offset=99999999999999999999999", "offset"),
    ("include_entered_in_error=perhaps", "include_entered_in_error"),
])
def test_malformed_or_nul_filter_is_a_400_naming_it(nurse: APIClient, query: str, field: str) -> None:
    _names(_errors(nurse.get(f"{CASES}?{query}"), 400), field)


def _names(errors: list[dict[str, Any]], field: str) -> None:
    """The one error names the field: as its `field`, or (a NUL caught before the API's own checks) in words."""
    [error] = errors
    assert error["field"] == field or f"'{field}'" in error["message"], error


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/units/?active=%00", "active"), ("/api/v1/units/?is_cooling_centre=maybe", "is_cooling_centre"),
    ("/api/v1/kpi-aggregates/?kpi=a%00", "kpi"), ("/api/v1/kpi-aggregates/?org=%00", "org"),
])
def test_reference_filters_refuse_nul_and_nonsense(nurse: APIClient, path: str, field: str) -> None:
    _names(_errors(nurse.get(path), 400), field)


@pytest.mark.parametrize("column", ["birth_unit_ods", "cooling_centre_ods", "case_ref", "nhs_number", "sex",
                                    "birth_datetime"])
def test_nul_in_a_value_is_a_400_naming_the_field(nurse: APIClient, column: str) -> None:
    values = {"birth_unit_ods": "RGT\x0001", "cooling_centre_ods": "RGT\x0001", "case_ref": "A\x00",
              "nhs_number": "943476\x005919", "sex": "ma\x00le", "birth_datetime": "2024-05-14T03:10\x00"}
    body = new_case(**{column: values[column]})
    fields = {e["field"] for e in _errors(nurse.post(CASES, body, format="json"), 400)}
    assert column in fields
    assert Case.objects.count() == 0


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"a": }', b"\xff\xfe", b"[" * 50_000])
def test_malformed_json_is_a_json_400(nurse: APIClient, raw: bytes) -> None:
    refused = nurse.generic("POST", CASES, raw, content_type="application/json")  # type: ignore[arg-type]  # DRF takes bytes
    assert _errors(refused, 400)[0]["rule"] == "parse_error"


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/cases/1/nothing/", "/api/v1/units/RGT01/x/"])
def test_unknown_address_is_a_json_404(nurse: APIClient, path: str) -> None:
    assert _errors(nurse.get(path), 404)[0]["rule"] == "not_found"


def test_unknown_address_without_a_token_is_json_too() -> None:
    _errors(APIClient().get("/api/v1/nothing/"), 404)


def test_a_server_error_is_json(nurse: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(CaseViewSet, "list", broken)
    nurse.raise_request_exception = False
    assert _errors(nurse.get(CASES), 500)[0]["rule"] == "server_error"
