"""Who may list, view, edit and export which POP record: persona × action, as one table.

Records: W born at Watford (RWG02), A born at Addenbrooke's (RGT01), I born at Ipswich (RDE03). A unit-scoped
role reaches a record through its birth unit only (POP records have no cooling centre); network-wide roles
reach every record. The list, the single-record lookup and `can` must agree, and the screens must too.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.access import reached
from core.testing.personas import Personas
from pop import services
from pop.access import can, get_record_for_user, records_for
from pop.models import PopRecord
from pop.tests.factories import pop_values
from units.access import Action, UserLike

pytestmark = pytest.mark.django_db
ALL = frozenset("WAI")
NONE: frozenset[str] = frozenset()
RECORD_ACTIONS = ("list", "view", "edit", "export")

MATRIX: list[tuple[str, str, frozenset[str]]] = [
    *((persona, action, ALL) for persona in ("nurse", "admin_user") for action in RECORD_ACTIONS),
    ("lead", "list", ALL), ("lead", "view", ALL), ("lead", "edit", NONE), ("lead", "export", ALL),
    ("consultant", "list", frozenset("A")), ("consultant", "view", frozenset("A")),
    ("consultant", "edit", frozenset("A")), ("consultant", "export", frozenset("A")),
    ("clinician", "list", frozenset("W")), ("clinician", "view", frozenset("W")),
    ("clinician", "edit", frozenset("W")), ("clinician", "export", NONE),
    ("outsider", "list", frozenset("I")), ("outsider", "view", frozenset("I")),
    ("outsider", "edit", frozenset("I")), ("outsider", "export", NONE),
]


@pytest.fixture
def records(people: Personas) -> dict[str, PopRecord]:
    places = {"W": "RWG02", "A": "RGT01", "I": "RDE03"}
    return {name: services.pop_create(values=pop_values(case_ref=f"POP-{name}", birth_unit=unit), by=people.nurse)
            for name, unit in places.items()}


def allowed(user: UserLike, action: Action, records: dict[str, PopRecord]) -> frozenset[str]:
    """What every door says: the list, the single-record lookup and can() must agree."""
    return reached(records, listed=records_for(user, action), look_up=lambda pk: get_record_for_user(user, pk, action),
                   can=lambda record: can(user, record, action))


def test_matrix_covers_every_persona_and_record_action() -> None:
    personas = {"nurse", "lead", "admin_user", "consultant", "clinician", "outsider"}
    assert {(p, a) for p, a, _ in MATRIX} == {(p, a) for p in personas for a in RECORD_ACTIONS}


@pytest.mark.parametrize(("persona", "action", "expected"), MATRIX)
def test_access_matrix(people: Personas, records: dict[str, PopRecord], persona: str, action: str,
                       expected: frozenset[str]) -> None:
    assert allowed(getattr(people, persona), Action(action), records) == expected


@pytest.mark.parametrize(("persona", "expected"), [
    (persona, {action for p, action, found in MATRIX if p == persona and "W" in found} & {"view", "edit"})
    for persona in ("nurse", "lead", "consultant", "clinician", "outsider")
])
def test_screens_follow_the_matrix(client: Client, people: Personas, records: dict[str, PopRecord], persona: str,
                                   expected: set[str]) -> None:
    client.force_login(getattr(people, persona))
    record = records["W"]
    pages = {"view": reverse("pop:record_detail", args=[record.pk]),
             "edit": reverse("pop:record_edit", args=[record.pk])}
    for action, url in pages.items():
        assert client.get(url).status_code == (200 if action in expected else 404), (persona, action)
    listed = client.get(reverse("pop:record_list")).content.decode()
    assert ("POP-W" in listed) == ("view" in expected)


def test_anonymous_users_are_sent_to_sign_in(client: Client, records: dict[str, PopRecord]) -> None:
    for url in (reverse("pop:record_list"), reverse("pop:dashboard"), reverse("pop:record_detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
