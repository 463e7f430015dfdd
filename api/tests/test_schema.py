"""The OpenAPI description at /api/schema/ is valid OpenAPI 3 and describes what the API does; the
documentation page serves Swagger UI from our own static files (no CDN)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from core.testing.personas import Personas


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    # Against the OpenAPI 3.0 JSON Schema (openapi-spec-validator is not in the pinned stack; this is the
    # validator drf-spectacular ships): raises with the offending path if anything is malformed.
    validate_schema(schema)
    assert schema["openapi"].startswith("3.0")


def test_schema_describes_the_operations_errors_and_token(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    assert set(paths) == {"/api/v1/cases/", "/api/v1/cases/{id}/", "/api/v1/cases/{id}/entered-in-error/",
                          "/api/v1/units/", "/api/v1/units/{ods_code}/", "/api/v1/kpi-aggregates/"}
    assert set(paths["/api/v1/cases/"]) == {"get", "post"}
    assert set(paths["/api/v1/cases/{id}/"]) == {"get", "put", "patch"}  # no delete: "entered in error"
    assert set(paths["/api/v1/kpi-aggregates/"]) == {"get"}
    filters = {p["name"] for p in paths["/api/v1/cases/"]["get"]["parameters"]}
    assert {"unit", "year", "stage", "updated_since", "limit", "offset"} <= filters
    kpi_filters = {p["name"] for p in paths["/api/v1/kpi-aggregates/"]["get"]["parameters"]}
    assert {"kpi", "level", "org", "period", "period_type"} <= kpi_filters
    assert set(paths["/api/v1/cases/{id}/"]["patch"]["responses"]) >= {"200", "400", "403", "404", "409"}
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A personal token from /api/tokens/: "
        "`Authorization: Bearer <key>`"}
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["field", "message", "rule"]
    case = components["Case"]["properties"]
    assert case["gestation_weeks"]["maximum"] == 44  # ranges from the Case model's validators
    assert case["birth_datetime"]["format"] == "date-time"
    assert "version" in components["PatchedCaseUpdateRequest"]["properties"]
    assert "version" in components["CaseUpdateRequest"]["required"]


def test_docs_page_uses_vendored_swagger_ui(people: Personas) -> None:
    client = APIClient()
    client.force_login(people.nurse)
    page = client.get("/api/docs/").content.decode()
    assert "/static/api/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert finders.find(f"api/swagger-ui/{name}"), name
