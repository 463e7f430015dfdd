"""The export log cannot be skipped by a fault (issue 12, high): if the row recording an API read of cases
cannot be written, the cases are not sent. The client gets a JSON 500 holding no case data."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError

from api.models import Scope
from api.tests.conftest import (
    cases,  # noqa: F401 - the fixture
    token_client,
)
from core.testing.personas import Personas
from pathway.models import Case
from reporting.models import ExportRecord


def _fail(*args: Any, **kwargs: Any) -> None:
    raise DatabaseError("the export log's table is unavailable")


@pytest.mark.parametrize("path", ["/api/v1/cases/", "case"])
def test_no_case_rows_leave_without_their_export_log_row(people: Personas, cases: dict[str, Case],  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    client = token_client(people.nurse, scopes=[Scope.READ_IDENTIFIABLE])
    client.raise_request_exception = False
    monkeypatch.setattr(ExportRecord.objects, "create", _fail)
    url = f"/api/v1/cases/{cases['A'].pk}/" if path == "case" else path
    response = client.get(url)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["rule"] == "server_error"
    body = response.content.decode()
    assert all(case.case_ref not in body for case in cases.values())
