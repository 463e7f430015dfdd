"""The section roles through the API (the screens' table: pathway/tests/test_access_matrix.py SECTION_MATRIX).

A radiologist at Addenbrooke's reads A and C and changes only their MRI; PaNDR's transport team reads A (the
case it moved) and changes only its referral and transport. Neither creates a case, marks one entered in
error, or changes anything else: a change touching another field is a 403 naming it, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.tests.conftest import PLACES, token_client
from api.tests.test_cases_api import new_case
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas, make_personas, with_section_roles
from pathway import services
from pathway.models import Case
from units.models import Unit

ALL = frozenset("ABC")
NONE: frozenset[str] = frozenset()
MRI_CHANGE = {"mri_injury_pattern": "watershed", "mri_sequences": ["t1", "t2", "dwi", "mrs"]}
TRANSPORT_CHANGE = {"referral_decision": "cool", "transport_team_arrived_datetime": "2024-05-14T05:00+01:00"}
# persona: (visible, MRI changeable, transport changeable)
MATRIX: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "radiologist": (frozenset("AC"), frozenset("AC"), NONE),
    "transport": (frozenset("A"), NONE, frozenset("A")),
}


@pytest.fixture
def section_people(network: object) -> Personas:
    return with_section_roles(make_personas())


@pytest.fixture
def moved_cases(section_people: Personas) -> dict[str, Case]:
    pandr = Unit.objects.get(ods_code="RGT-PANDR")
    return {
        name: services.case_create(values=cooled_case_values(
            case_ref=f"CASE-{name}", birth_unit=born, centre=centre,
            transport_service=pandr if name == "A" else None), by=section_people.nurse)
        for name, (born, centre) in PLACES.items()
    }


def _client(people: Personas, persona: str) -> APIClient:
    return token_client(getattr(people, persona))


def _patch(client: APIClient, case: Case, change: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, **change}, format="json")


@pytest.mark.parametrize("persona", MATRIX)
def test_reads_the_cases_it_reaches(section_people: Personas, moved_cases: dict[str, Case], persona: str) -> None:
    client = _client(section_people, persona)
    visible = MATRIX[persona][0]
    # A section role's token reads pseudonymised rows (no case_ref): name them by id.
    names = {case.pk: name for name, case in moved_cases.items()}
    listed = {names[c["id"]] for c in client.get("/api/v1/cases/").json()["results"]}
    assert listed == visible
    for name, case in moved_cases.items():
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == (200 if name in visible else 404)


@pytest.mark.parametrize("persona", MATRIX)
@pytest.mark.parametrize(("which", "change"), [(1, MRI_CHANGE), (2, TRANSPORT_CHANGE)])
def test_changes_only_its_own_section(section_people: Personas, moved_cases: dict[str, Case], persona: str,
                                      which: int, change: dict[str, Any]) -> None:
    client = _client(section_people, persona)
    visible, changeable = MATRIX[persona][0], MATRIX[persona][which]
    for name, case in moved_cases.items():
        response = _patch(client, case, change)
        expected = 200 if name in changeable else 403 if name in visible else 404
        assert response.status_code == expected, (persona, name, response.content)
        assert Case.objects.get(pk=case.pk).version == case.version + (expected == 200)


@pytest.mark.parametrize("persona", MATRIX)
def test_a_change_outside_the_section_is_refused_and_names_the_field(
        section_people: Personas, moved_cases: dict[str, Case], persona: str) -> None:
    own = MRI_CHANGE if persona == "radiologist" else TRANSPORT_CHANGE
    response = _patch(_client(section_people, persona), moved_cases["A"], {**own, "apgar_10": 2})
    assert response.status_code == 403
    assert "apgar_10" in response.json()["errors"][0]["message"]
    assert Case.objects.get(pk=moved_cases["A"].pk).version == moved_cases["A"].version


def test_a_put_that_sends_the_other_columns_unchanged_is_fine(section_people: Personas,
                                                             moved_cases: dict[str, Case]) -> None:
    client = _client(section_people, "radiologist")
    case = moved_cases["C"]
    # The radiologist reads pseudonymised (shifted times): the unchanged columns come from an identifiable read.
    body = _client(section_people, "nurse").get(f"/api/v1/cases/{case.pk}/").json()
    body.update(MRI_CHANGE)
    response = client.put(f"/api/v1/cases/{case.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).mri_injury_pattern == "watershed"


@pytest.mark.parametrize("persona", MATRIX)
def test_no_other_door(section_people: Personas, moved_cases: dict[str, Case], persona: str) -> None:
    client = _client(section_people, persona)
    assert client.post("/api/v1/cases/", new_case(), format="json").status_code == 403
    marked = client.post(f"/api/v1/cases/{moved_cases['A'].pk}/entered-in-error/",
                         {"reason": "x", "version": moved_cases["A"].version}, format="json")
    assert marked.status_code == 403
    assert not Case.objects.filter(entered_in_error=True).exists()


def test_the_transport_team_cannot_hand_the_case_to_another_service(section_people: Personas,
                                                                   moved_cases: dict[str, Case]) -> None:
    response = _patch(_client(section_people, "transport"), moved_cases["A"], {"transport_service_ods": None})
    assert response.status_code == 403
    assert Case.objects.get(pk=moved_cases["A"].pk).transport_service is not None


Api = Callable[[str], APIClient]
