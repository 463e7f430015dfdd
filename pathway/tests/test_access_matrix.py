"""Who may list, view, edit, export and import which case: persona × action, as one table.

Cases: A born at Watford (RWG02) and cooled at Addenbrooke's (RGT01), moved by PaNDR; B born at Ipswich
(RDE03) and cooled at Norfolk & Norwich (RM102); C born and cooled at Addenbrooke's (inborn). A unit-scoped
role reaches a case through its birth unit or its cooling centre; a network-wide role reaches every case; the
transport team reaches the cases its service moved. The radiologist and the transport team change only their
own section (`SECTION_MATRIX`) and hold no other action.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client
from django.urls import reverse

from core.testing.access import reached
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas, make_personas, make_user, with_section_roles
from core.timeutil import LONDON, format_local
from pathway import services
from pathway.access import can as can_act
from pathway.access import cases_for, editable_sections, get_case_for_user
from pathway.models import Case, TemperatureObservation
from pathway.sections import BY_SLUG
from units.access import Action, UserLike, may, user_roles
from units.models import Membership, Role, Unit

ALL = frozenset("ABC")
NONE: frozenset[str] = frozenset()

MATRIX: list[tuple[str, str, frozenset[str]]] = [
    ("nurse", "list", ALL),
    ("nurse", "view", ALL),
    ("nurse", "edit", ALL),
    ("nurse", "export", ALL),
    ("nurse", "import", ALL),
    ("lead", "list", ALL),
    ("lead", "view", ALL),
    ("lead", "edit", NONE),  # network leads compare and report; they do not change records
    ("lead", "export", ALL),
    ("lead", "import", NONE),
    ("admin_user", "list", ALL),
    ("admin_user", "view", ALL),
    ("admin_user", "edit", ALL),
    ("admin_user", "export", ALL),
    ("admin_user", "import", ALL),
    ("consultant", "list", frozenset("AC")),  # cooling centre of A, birth unit and centre of C
    ("consultant", "view", frozenset("AC")),
    ("consultant", "edit", frozenset("AC")),
    ("consultant", "export", frozenset("AC")),
    ("consultant", "import", NONE),
    ("clinician", "list", frozenset("A")),  # birth unit of A
    ("clinician", "view", frozenset("A")),
    ("clinician", "edit", frozenset("A")),
    ("clinician", "export", NONE),
    ("clinician", "import", NONE),
    ("outsider", "list", frozenset("B")),  # birth unit of B
    ("outsider", "view", frozenset("B")),
    ("outsider", "edit", frozenset("B")),
    ("outsider", "export", NONE),
    ("outsider", "import", NONE),
    # Starting a KPI recompute is network-wide by nature: leads and administrators only.
    ("nurse", "recompute", NONE),
    ("lead", "recompute", ALL),
    ("admin_user", "recompute", ALL),
    ("consultant", "recompute", NONE),
    ("clinician", "recompute", NONE),
    ("outsider", "recompute", NONE),
    # The family website, events and feedback moderation belong to the nurse specialists (and administrators).
    ("nurse", "family_site", ALL),
    ("lead", "family_site", NONE),
    ("admin_user", "family_site", ALL),
    ("consultant", "family_site", NONE),
    ("clinician", "family_site", NONE),
    ("outsider", "family_site", NONE),
    # Training is recorded by nurse specialists and administrators for any unit, by unit clinicians for their
    # own units (through a case: its birth unit or centre), not by consultants or leads (training/access.py).
    ("nurse", "record_training", ALL),
    ("lead", "record_training", NONE),
    ("admin_user", "record_training", ALL),
    ("consultant", "record_training", NONE),
    ("clinician", "record_training", frozenset("A")),
    ("outsider", "record_training", frozenset("B")),
    # Board reports and the export log (reporting/) are network-wide: leads and administrators only.
    ("nurse", "report", NONE),
    ("lead", "report", ALL),
    ("admin_user", "report", ALL),
    ("consultant", "report", NONE),
    ("clinician", "report", NONE),
    ("outsider", "report", NONE),
    # Invitations (accounts/) come from the network-wide roles; each grants only roles within its own.
    ("nurse", "invite", ALL),
    ("lead", "invite", ALL),
    ("admin_user", "invite", ALL),
    ("consultant", "invite", NONE),
    ("clinician", "invite", NONE),
    ("outsider", "invite", NONE),
    # Two-factor resets, unlocking and the sign-in log (accounts/) are the administrators' recovery route.
    ("nurse", "manage_accounts", NONE),
    ("lead", "manage_accounts", NONE),
    ("admin_user", "manage_accounts", ALL),
    ("consultant", "manage_accounts", NONE),
    ("clinician", "manage_accounts", NONE),
    ("outsider", "manage_accounts", NONE),
    # Live births per unit-year (units/births.py, the incidence denominator): nurse specialists and admins.
    ("nurse", "live_births", ALL),
    ("lead", "live_births", NONE),
    ("admin_user", "live_births", ALL),
    ("consultant", "live_births", NONE),
    ("clinician", "live_births", NONE),
    ("outsider", "live_births", NONE),
    # Improvement actions (improvement/): the network-wide roles for every unit, leads included (they run the
    # improvement work); consultants and unit clinicians for their own units.
    ("nurse", "improve", ALL),
    ("lead", "improve", ALL),
    ("admin_user", "improve", ALL),
    ("consultant", "improve", frozenset("AC")),
    ("clinician", "improve", frozenset("A")),
    ("outsider", "improve", frozenset("B")),
]
# The section roles read the cases they reach and do nothing else through the actions (their one section is
# SECTION_MATRIX below).
MATRIX += [(persona, action.value, reach if action in (Action.LIST, Action.VIEW) else NONE)
           for persona, reach in (("radiologist", frozenset("AC")), ("transport", frozenset("A")))
           for action in Action]

# persona → {case: the sections it may change}
ALL_SECTIONS = frozenset({"birth", "referral", "cooling", "first-days", "mri", "discharge", "follow-up", "opt-out"})
SECTION_MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "nurse": dict.fromkeys("ABC", ALL_SECTIONS),
    "lead": {},
    "admin_user": dict.fromkeys("ABC", ALL_SECTIONS),
    "consultant": dict.fromkeys("AC", ALL_SECTIONS),
    "clinician": {"A": ALL_SECTIONS},
    "outsider": {"B": ALL_SECTIONS},
    "radiologist": {"A": frozenset({"mri"}), "C": frozenset({"mri"})},
    "transport": {"A": frozenset({"referral"})},
}


@pytest.fixture
def people(network: object) -> Personas:
    return with_section_roles(make_personas())


@pytest.fixture
def cases(people: Personas) -> dict[str, Case]:
    places = {"A": ("RWG02", "RGT01"), "B": ("RDE03", "RM102"), "C": ("RGT01", "RGT01")}
    pandr = Unit.objects.get(ods_code="RGT-PANDR")
    return {
        name: services.case_create(values=cooled_case_values(
            case_ref=f"CASE-{name}", birth_unit=born, centre=centre,
            transport_service=pandr if name == "A" else None), by=people.nurse)
        for name, (born, centre) in places.items()
    }


def allowed(user: UserLike, action: Action, cases: dict[str, Case]) -> frozenset[str]:
    """What every door says: the list, the single-case lookup and can() must agree."""
    return reached(cases, listed=cases_for(user, action), look_up=lambda pk: get_case_for_user(user, pk, action),
                   can=lambda case: can_act(user, case, action))


def test_the_matrix_covers_every_persona_and_action() -> None:
    personas = {"nurse", "lead", "admin_user", "consultant", "clinician", "outsider", "radiologist", "transport"}
    assert {(p, a) for p, a, _ in MATRIX} == {(p, a.value) for p in personas for a in Action}


@pytest.mark.parametrize(("persona", "action", "expected"), MATRIX)
def test_access_matrix(people: Personas, cases: dict[str, Case], persona: str, action: str,
                       expected: frozenset[str]) -> None:
    user = getattr(people, persona)
    assert allowed(user, Action(action), cases) == expected
    # may() shows or hides a link: true exactly when some case is reachable in this network.
    assert may(user, Action(action)) is bool(expected)


def test_disallowed_case_is_a_404_never_a_403(people: Personas, cases: dict[str, Case]) -> None:
    with pytest.raises(Http404):
        get_case_for_user(people.clinician, cases["B"].pk, Action.VIEW)
    with pytest.raises(Http404):
        get_case_for_user(people.lead, cases["A"].pk, Action.EDIT)
    with pytest.raises(Http404):  # a case that does not exist looks the same
        get_case_for_user(people.nurse, max(c.pk for c in cases.values()) + 1000, Action.VIEW)


def test_two_memberships_add_up(people: Personas, cases: dict[str, Case]) -> None:
    user = make_user("two", Unit.objects.get(ods_code="RWG02"), Role.UNIT_CLINICIAN)
    Membership.objects.create(user=user, unit=Unit.objects.get(ods_code="RDE03"), role=Role.UNIT_CLINICIAN)
    assert allowed(user, Action.VIEW, cases) == frozenset("AB")
    assert allowed(user, Action.EDIT, cases) == frozenset("AB")
    assert allowed(user, Action.EXPORT, cases) == NONE


def test_roles_at_different_units_give_each_its_own_actions(people: Personas, cases: dict[str, Case]) -> None:
    user = make_user("mixed", Unit.objects.get(ods_code="RWG02"), Role.UNIT_CLINICIAN)
    Membership.objects.create(user=user, unit=Unit.objects.get(ods_code="RM102"), role=Role.CONSULTANT)
    assert allowed(user, Action.EDIT, cases) == frozenset("AB")
    assert allowed(user, Action.EXPORT, cases) == frozenset("B")  # the consultant role is at RM102 only
    assert user_roles(user) == {Role.UNIT_CLINICIAN, Role.CONSULTANT}


def test_membership_of_an_inactive_unit_gives_nothing(people: Personas, cases: dict[str, Case]) -> None:
    Unit.objects.filter(ods_code="RWG02").update(active=False)
    clinician = get_user_model().objects.get(pk=people.clinician.pk)  # fresh: no cached memberships
    for action in Action:
        assert allowed(clinician, action, cases) == NONE
        assert may(clinician, action) is False
    assert user_roles(clinician) == set()


def test_network_wide_role_at_an_inactive_unit_gives_nothing(people: Personas, cases: dict[str, Case]) -> None:
    Unit.objects.filter(ods_code="RGT01").update(active=False)
    nurse = get_user_model().objects.get(pk=people.nurse.pk)
    assert allowed(nurse, Action.VIEW, cases) == NONE


def test_user_without_membership_gets_nothing(people: Personas, cases: dict[str, Case]) -> None:
    nobody = get_user_model().objects.create_user(username="nobody", password="correct-horse-battery")
    for action in Action:
        assert allowed(nobody, action, cases) == NONE


def test_anonymous_user_gets_nothing(people: Personas, cases: dict[str, Case]) -> None:
    anonymous = AnonymousUser()
    for action in Action:
        assert allowed(anonymous, action, cases) == NONE
        assert may(anonymous, action) is False
    with pytest.raises(Http404):
        get_case_for_user(anonymous, cases["A"].pk)


def test_entered_in_error_cases_stay_reachable_to_those_allowed(people: Personas, cases: dict[str, Case]) -> None:
    services.case_mark_entered_in_error(case=cases["A"], reason="Duplicate", expected_version=1, by=people.nurse)
    assert allowed(people.clinician, Action.VIEW, cases) == frozenset("A")
    assert allowed(people.outsider, Action.VIEW, cases) == frozenset("B")


# --- HTTP: the case URLs answer 404 for every case the user may not reach ------------------------------


CASE_PAGES = ["pathway:case_detail", "pathway:case_history", "pathway:case_timeline"]
VIEWERS = {persona: expected for persona, action, expected in MATRIX if action == "view"}
EDITORS = {persona: expected for persona, action, expected in MATRIX if action == "edit"}
EXPORTERS = {persona: expected for persona, action, expected in MATRIX if action == "export"}


def _client(people: Personas, persona: str) -> Client:
    client = Client()
    client.force_login(getattr(people, persona))
    return client


@pytest.mark.parametrize("url_name", CASE_PAGES)
@pytest.mark.parametrize("persona", VIEWERS)
def test_case_pages_by_persona(people: Personas, cases: dict[str, Case], persona: str, url_name: str) -> None:
    client = _client(people, persona)
    for name, case in cases.items():
        response = client.get(reverse(url_name, args=[case.pk]))
        expected = 200 if name in VIEWERS[persona] else 404
        assert response.status_code == expected, (name, response.status_code)
        assert (f"CASE-{name}".encode() in response.content) is (expected == 200)


@pytest.mark.parametrize("persona", EDITORS)
def test_case_section_post_by_persona(people: Personas, cases: dict[str, Case], persona: str) -> None:
    client = _client(people, persona)
    for name, case in cases.items():
        response = client.post(reverse("pathway:case_section", args=[case.pk, "birth"]),
                               {"version": case.version, "hie_grade": 3})
        if name in EDITORS[persona]:
            assert response.status_code not in (403, 404), (name, response.status_code)
        else:
            assert response.status_code == 404, (name, response.status_code)
            assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize("persona", EDITORS)
def test_temperature_add_post_by_persona(people: Personas, cases: dict[str, Case], persona: str) -> None:
    client = _client(people, persona)
    for name, case in cases.items():
        observed = case.birth_datetime + timedelta(hours=1)
        response = client.post(reverse("pathway:temperature_add", args=[case.pk]),
                               {"observed_at": format_local(observed), "temp_c": "34.2", "site": "rectal"})
        added = TemperatureObservation.objects.filter(case=case).count()
        if name in EDITORS[persona]:
            assert response.status_code == 302, (name, response.status_code)
            assert added == 1
        else:
            assert response.status_code == 404, (name, response.status_code)
            assert added == 0


@pytest.mark.parametrize("persona", EDITORS)
def test_temperature_remove_post_by_persona(people: Personas, cases: dict[str, Case], persona: str) -> None:
    client = _client(people, persona)
    for name, case in cases.items():
        observation = services.temperature_add(case=case, observed_at=case.birth_datetime + timedelta(hours=1),
                                               temp_c=Decimal("34.2"), site="rectal", by=people.nurse)
        response = client.post(reverse("pathway:temperature_remove", args=[case.pk, observation.pk]))
        kept = TemperatureObservation.objects.filter(pk=observation.pk).exists()
        if name in EDITORS[persona]:
            assert response.status_code == 302, (name, response.status_code)
            assert not kept
        else:
            assert response.status_code == 404, (name, response.status_code)
            assert kept


def test_temperature_remove_of_another_cases_reading_is_a_404(people: Personas, cases: dict[str, Case]) -> None:
    # The consultant may edit A and C, but not through a URL that pairs A with C's reading.
    reading = services.temperature_add(case=cases["C"], observed_at=cases["C"].birth_datetime + timedelta(hours=1),
                                       temp_c=Decimal("34.2"), site="rectal", by=people.nurse)
    response = _client(people, "consultant").post(
        reverse("pathway:temperature_remove", args=[cases["A"].pk, reading.pk]))
    assert response.status_code == 404
    assert TemperatureObservation.objects.filter(pk=reading.pk).exists()


@pytest.mark.parametrize("persona", EXPORTERS)
def test_export_by_persona(people: Personas, cases: dict[str, Case], persona: str) -> None:
    response = _client(people, persona).get(reverse("pathway:export_download"))
    if not EXPORTERS[persona]:
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]  # the test client returns streaming responses too; its stubs do not say so
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    # The default file is pseudonymised (no case_ref): tell the cases apart by their two units.
    places = {("RWG02", "RGT01"): "A", ("RDE03", "RM102"): "B", ("RGT01", "RGT01"): "C"}
    exported = [places[(row["birth_unit_ods"], row["cooling_centre_ods"])] for row in rows]
    assert sorted(exported) == sorted(EXPORTERS[persona])


@pytest.mark.parametrize("persona", EDITORS)
def test_entered_in_error_by_persona(people: Personas, cases: dict[str, Case], persona: str) -> None:
    """The page and its POST: an editor marks the case; anyone else gets a 404 and the case is unchanged."""
    client = _client(people, persona)
    for name, case in cases.items():
        url = reverse("pathway:case_entered_in_error", args=[case.pk])
        page = client.get(url)
        response = client.post(url, {"version": case.version, "entered_in_error_reason": "Duplicate"})
        marked = Case.objects.get(pk=case.pk).entered_in_error
        if name in EDITORS[persona]:
            assert (page.status_code, response.status_code, marked) == (200, 302, True), name
        else:
            assert (page.status_code, response.status_code, marked) == (404, 404, False), name


LISTERS = {persona: expected for persona, action, expected in MATRIX if action == "list"}


@pytest.mark.parametrize("persona", LISTERS)
def test_case_list_page_by_persona(people: Personas, cases: dict[str, Case], persona: str) -> None:
    content = _client(people, persona).get(reverse("pathway:case_list")).content.decode()
    assert {name for name in cases if f"CASE-{name}" in content} == LISTERS[persona]


@pytest.mark.parametrize("url_name", CASE_PAGES)
def test_case_pages_need_a_login(cases: dict[str, Case], url_name: str) -> None:
    response = Client().get(reverse(url_name, args=[cases["A"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert b"CASE-A" not in response.content


# --- Sections: who may change which part of a case (the section roles' only door) -------------------------


@pytest.mark.parametrize("persona", SECTION_MATRIX)
def test_section_matrix(people: Personas, cases: dict[str, Case], persona: str) -> None:
    user = getattr(people, persona)
    found = {name: editable_sections(user, case) for name, case in cases.items()}
    assert {name: slugs for name, slugs in found.items() if slugs} == SECTION_MATRIX[persona]


SECTION_POSTS: dict[str, dict[str, Any]] = {
    "birth": {"hie_grade": 3},
    "referral": {"referral_decision": "cool"},
    "mri": {"mri_performed": "yes", "mri_datetime": "21/05/2024 10:00", "mri_injury_pattern": "watershed"},
}


def _section_post(case: Case, slug: str) -> dict[str, object]:
    """The section's saved values as the page's form posts them (so the post is valid), with one change."""
    data: dict[str, object] = {"version": case.version}
    for name in BY_SLUG[slug].fields:
        value = getattr(case, f"{name}_id" if name.endswith(("unit", "centre", "service")) else name)
        if isinstance(value, datetime):
            data[name] = f"{value.astimezone(LONDON):%d/%m/%Y %H:%M}"
        elif isinstance(value, date):
            data[name] = f"{value:%d/%m/%Y}"
        elif value not in (None, "", []):
            data[name] = value if isinstance(value, list) else str(value)
    data.update(SECTION_POSTS[slug])
    return data


@pytest.mark.parametrize("persona", ["radiologist", "transport", "lead", "clinician"])
@pytest.mark.parametrize("slug", list(SECTION_POSTS))
def test_section_post_by_persona(people: Personas, cases: dict[str, Case], persona: str, slug: str) -> None:
    """The section URL saves exactly where SECTION_MATRIX says; anywhere else a 404 and nothing written."""
    client = _client(people, persona)
    for name, case in cases.items():
        response = client.post(reverse("pathway:case_section", args=[case.pk, slug]), _section_post(case, slug))
        version = Case.objects.get(pk=case.pk).version
        if slug in SECTION_MATRIX[persona].get(name, NONE):
            assert response.status_code == 302, (name, response.status_code, response.content[:2000])
            assert version == case.version + 1, name
        else:
            assert response.status_code == 404, (name, response.status_code)
            assert version == case.version, name


@pytest.mark.parametrize("persona", ["radiologist", "transport"])
def test_the_case_page_offers_only_the_own_section(people: Personas, cases: dict[str, Case], persona: str) -> None:
    body = _client(people, persona).get(reverse("pathway:case_detail", args=[cases["A"].pk])).content.decode()
    offered = {slug for slug in ALL_SECTIONS
               if f'action="{reverse("pathway:case_section", args=[cases["A"].pk, slug])}"' in body}
    assert offered == SECTION_MATRIX[persona]["A"]
    assert "Mark as entered in error" not in body
    assert "your role changes only" in body


def test_a_transport_team_cannot_hand_the_case_to_another_service(people: Personas, cases: dict[str, Case]) -> None:
    case = cases["A"]
    data = {**_section_post(case, "referral"), "transport_service": ""}
    response = _client(people, "transport").post(reverse("pathway:case_section", args=[case.pk, "referral"]), data)
    assert response.status_code == 200
    assert "Your team can only record the transfers it made" in response.content.decode()
    assert Case.objects.get(pk=case.pk).transport_service_id == case.transport_service_id
