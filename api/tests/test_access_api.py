"""Who reaches which case through the API: persona × operation, the same table as the screens
(pathway/tests/test_access_matrix.py). A case the user may not see is a 404 whatever id is guessed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from core.testing.personas import Personas
from pathway.models import Case

Api = Callable[[str], APIClient]
ALL = frozenset("ABC")
NONE: frozenset[str] = frozenset()

# persona: (cases listed and readable, cases changeable)
MATRIX: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "nurse": (ALL, ALL),
    "lead": (ALL, NONE),  # network leads read and compare; they do not change records
    "admin_user": (ALL, ALL),
    "consultant": (frozenset("AC"), frozenset("AC")),  # Addenbrooke's: cooling centre of A, inborn C
    "clinician": (frozenset("A"), frozenset("A")),  # Watford: birth unit of A
    "outsider": (frozenset("B"), frozenset("B")),  # Ipswich: birth unit of B
}


@pytest.mark.parametrize("persona", MATRIX)
def test_list_and_read(api: Api, cases: dict[str, Case], persona: str) -> None:
    client = api(persona)
    visible, _ = MATRIX[persona]
    names = {case.pk: name for name, case in cases.items()}  # by id: most roles read pseudonymised rows
    listed = {names[c["id"]] for c in client.get("/api/v1/cases/").json()["results"]}
    assert listed == visible
    for name, case in cases.items():
        response = client.get(f"/api/v1/cases/{case.pk}/")
        assert response.status_code == (200 if name in visible else 404), (persona, name)
        if name not in visible:
            # Guessing an id says nothing, not even that the case exists: same answer as a missing id.
            assert response.json() == client.get("/api/v1/cases/999999/").json()
            assert response.json()["errors"][0]["rule"] == "not_found"


@pytest.mark.parametrize("persona", MATRIX)
def test_change(api: Api, cases: dict[str, Case], persona: str) -> None:
    client = api(persona)
    visible, changeable = MATRIX[persona]
    for name, case in cases.items():
        response = client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, "apgar_10": 3},
                                format="json")
        expected = 200 if name in changeable else 403 if name in visible else 404
        assert response.status_code == expected, (persona, name, response.content)
        case.refresh_from_db()
        assert case.apgar_10 == (3 if name in changeable else 4)
        marked = client.post(f"/api/v1/cases/{case.pk}/entered-in-error/", {"reason": "x", "version": 99},
                             format="json")
        assert marked.status_code == (409 if name in changeable else expected)  # 409: stale version


@pytest.mark.parametrize("persona", MATRIX)
def test_create_needs_the_edit_action(api: Api, people: Personas, persona: str) -> None:
    body = {"case_ref": f"NEW-{persona}", "birth_datetime": "2024-06-01T10:00", "sex": "male",
            "gestation_weeks": 40, "gestation_days": 0, "birth_weight_g": 3500, "therapeutic_hypothermia": "no",
            "birth_unit_ods": {"outsider": "RDE03", "clinician": "RWG02"}.get(persona, "RGT01")}
    response = api(persona).post("/api/v1/cases/", body, format="json")
    _, changeable = MATRIX[persona]
    assert response.status_code == (201 if changeable else 403), response.content
    if not changeable:
        assert response.json()["errors"] == [{"field": None, "rule": "permission_denied",
                                              "message": "Your role does not include adding cases"}]


def test_no_or_bad_token_is_401(cases: dict[str, Case]) -> None:
    anonymous = APIClient()
    response = anonymous.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["errors"][0]["rule"] == "not_authenticated"
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer pwt_not-a-real-key")
    bad = anonymous.get(f"/api/v1/cases/{cases['A'].pk}/")
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["rule"] == "authentication_failed"


def test_session_sign_in_works_for_the_browsable_api(people: Personas, cases: dict[str, Case]) -> None:
    client = APIClient()
    client.force_login(people.clinician)
    response = client.get("/api/v1/cases/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    # A session reads as a pseudonymised token does: case A by its id, never its reference; B not at all.
    assert f"&quot;id&quot;: {cases['A'].pk}," in response.content.decode()
    assert f"&quot;id&quot;: {cases['B'].pk}," not in response.content.decode()
    assert "CASE-A" not in response.content.decode()
