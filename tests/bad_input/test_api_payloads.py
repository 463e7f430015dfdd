"""Malformed payloads against POST /api/v1/cases/ with a valid token: every one gets a 4xx with a JSON
error body ({"errors": [{"field", "rule", "message"}]}), never a 500, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.tests.conftest import token_client
from api.tests.test_cases_api import new_case
from core.models import AuditEvent
from core.testing.personas import Personas
from pathway.models import Case

URL = "/api/v1/cases/"

BAD_BODIES: dict[str, Any] = {
    # wrong types
    "text for a number": new_case(gestation_weeks="thirty-nine"),
    "list for a number": new_case(birth_weight_g=[3300]),
    "number for a code": new_case(sex=5),
    "number for a time": new_case(birth_datetime=1715652600),
    "boolean for yes/no": new_case(therapeutic_hypothermia=True),
    "object for a unit": new_case(birth_unit_ods={"ods": "RWG02"}),
    "unicode digits NHS number": new_case(nhs_number="٩٤٣٤٧٦٥٩١٩"),
    "NUL in text": new_case(case_ref="API\x00-1"),
    # out of range
    "gestation 99 weeks": new_case(gestation_weeks=99),
    "negative weight": new_case(birth_weight_g=-1),
    "pH 99": new_case(lowest_ph_60min="99.99"),
    "HIE grade 7": new_case(hie_grade=7),
    "year 2300": new_case(birth_datetime="2300-01-01T00:00"),
    "huge integer": new_case(birth_weight_g=10**400),
    "NaN": new_case(lowest_ph_60min="NaN"),
    "very long case_ref": new_case(case_ref="X" * 100_000),
    # broken time order, bad NHS number, unknown unit
    "cooling before birth": new_case(passive_cooling_start="2024-05-13T03:40+01:00"),
    "NHS number fails Modulus 11": new_case(nhs_number="9434765910"),
    "unknown unit": new_case(birth_unit_ods="ZZZ99"),
    # nested junk and wrong shapes
    "operator object": new_case(case_ref={"$gt": ""}),
    "nested lists": new_case(case_ref=[[["a"]]]),
    "array body": [new_case()],
    "string body": "case",
    "null body": None,
    "empty object": {},
}


def _assert_refused(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["errors"] and all({"field", "rule", "message"} <= set(e) for e in body["errors"])
    assert Case.objects.count() == 0
    return body


@pytest.fixture
def nurse(people: Personas) -> APIClient:
    return token_client(people.nurse)


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_bad_json_body_is_refused_with_json_errors(name: str, nurse: APIClient, people: Personas) -> None:
    audit = AuditEvent.objects.filter(object_type="pathway.case").count()
    response = nurse.post(URL, json.dumps(BAD_BODIES[name]), content_type="application/json")
    _assert_refused(response)
    assert AuditEvent.objects.filter(object_type="pathway.case").count() == audit


def test_field_errors_name_the_field_and_rule(nurse: APIClient) -> None:
    body = _assert_refused(nurse.post(URL, new_case(gestation_weeks=99), format="json"))
    assert ("gestation_weeks", "max_value") in [(e["field"], e["rule"]) for e in body["errors"]]
    body = _assert_refused(nurse.post(URL, new_case(passive_cooling_start="2024-05-13T03:40+01:00"), format="json"))
    assert ("passive_cooling_start", "order.passive_cooling_start") in [(e["field"], e["rule"]) for e in body["errors"]]


@pytest.mark.parametrize(("raw", "content_type"), [
    (b"not json at all", "application/json"),
    (b'{"case_ref": "API-1",', "application/json"),  # truncated
    (b"\xff\xfe\x00{", "application/json"),  # not UTF-8
    (b"case_ref=API-1", "application/x-www-form-urlencoded"),  # JSON only
    (b"<case/>", "application/xml"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", id="nested-100000-deep"),
])
def test_non_json_body_is_refused_with_json_errors(raw: bytes, content_type: str, nurse: APIClient) -> None:
    _assert_refused(nurse.generic("POST", URL, raw, content_type=content_type))  # type: ignore[arg-type]  # DRF takes bytes


def test_huge_body_is_refused(nurse: APIClient) -> None:
    """10 MB, four times Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    huge = json.dumps(new_case(early_stop_reason="x" * 10 * 1024 * 1024)).encode()
    response = nurse.generic("POST", URL, huge, content_type="application/json")  # type: ignore[arg-type]  # bytes, as DRF takes
    assert 400 <= response.status_code < 500
    assert Case.objects.count() == 0
