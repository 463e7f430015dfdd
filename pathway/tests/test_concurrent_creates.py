"""Two people (or a person and a program) add the same baby at the same moment: one is saved, the other is told
which case reference or NHS number clashed, through every door, and never sees a 500 (issue 12).

Real threads, each with its own PostgreSQL connection: the first create holds its transaction open until the
second one's INSERT is waiting on the unique index, then commits, so the second one's checks (which passed
while the first was uncommitted) are overtaken by the database's unique constraint.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from api.tests.conftest import token_client
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pathway.models import Case

pytestmark = [pytest.mark.django_db(transaction=True)]
NHS_NUMBER = "9434765919"


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")
        return cursor.fetchone()[0] > 0


def _race(first: dict[str, Any], second: Callable[[], Any], by: Any) -> Any:
    """Run the first create in a thread that commits only once `second` (another thread) waits on its row;
    returns what `second` returned or raised."""
    saved, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def hold_first() -> None:
        try:
            with transaction.atomic():
                services.case_create(values=first, by=by)
                saved.set()
                release.wait(10)
        finally:
            connections.close_all()

    def run_second() -> None:
        try:
            outcome["result"] = second()
        except Exception as exc:  # what it raised is the outcome the test checks
            outcome["result"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=hold_first)
    one.start()
    assert saved.wait(10)
    two = threading.Thread(target=run_second)
    two.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_on_a_lock(), "the second create never reached the unique index"
    release.set()
    one.join(10)
    two.join(10)
    return outcome["result"]


@pytest.mark.parametrize(("clash", "field", "message"), [
    ({"case_ref": "EOE-SAME"}, "case_ref", "Case with this case reference already exists (EOE-SAME, saved by "
                                           "someone else a moment ago)"),
    ({"nhs_number": NHS_NUMBER}, "nhs_number", "Another case already has this NHS number (unique per baby)"),
])
def test_the_service_names_the_clash(people: Personas, clash: dict[str, str], field: str, message: str) -> None:
    first = cooled_case_values(case_ref="EOE-SAME", nhs_number=NHS_NUMBER)
    second = cooled_case_values(**{"case_ref": "EOE-OTHER", "nhs_number": "", **clash})
    result = _race(first, lambda: services.case_create(values=second, by=people.clinician), people.nurse)
    assert isinstance(result, ValidationError)
    assert result.message_dict == {field: [message]}
    assert list(Case.objects.values_list("case_ref", flat=True)) == ["EOE-SAME"]


def test_the_api_answers_400_naming_the_field(people: Personas) -> None:
    from api.tests.test_cases_api import new_case

    first = cooled_case_values(case_ref="EOE-SAME")
    client = token_client(people.nurse)
    response = _race(first, lambda: client.post("/api/v1/cases/", new_case(case_ref="EOE-SAME"), format="json"),
                     people.nurse)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("case_ref", "unique")
    assert "EOE-SAME" in error["message"]
    assert Case.objects.count() == 1


def test_the_new_case_form_shows_the_clash(people: Personas) -> None:
    from pathway.tests.test_case_views import _new_case_post

    first = cooled_case_values(case_ref="EOE-SAME")
    client = Client()
    client.force_login(people.nurse)
    posted = _new_case_post(None, case_ref="EOE-SAME")
    response = _race(first, lambda: client.post(reverse("pathway:case_create"), posted), people.nurse)
    assert response.status_code in (200, 400)
    assert "Case with this case reference already exists (EOE-SAME" in response.content.decode()
    assert Case.objects.count() == 1
