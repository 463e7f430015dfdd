"""How many queries each kind of save makes in its request (issue 13: saves answer in ≤ 300 ms).

The figures are recomputed after the response (`kpis.background`), so a save's request does only its own
work: read the record, check access, write, audit, mark its periods pending, render the answer. These tests
bound that count per kind of save, so a change that adds queries to every save (or puts a recompute back in
the request) fails here; the time itself is measured by `python -m bench.saves`. If a change needs more
queries on purpose, update the number and say why in the commit.

Real commits (transactional database), so the on-commit marking of pending periods is counted too; the
background drain runs on its own connection, which is not counted, and is waited for at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import format_for_input
from kpis import background
from kpis.tests.test_background import referral_post
from pathway import services
from training import access
from training.models import StaffRole
from units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

# Queries in the request of the second save of each kind (the first warms the process's caches).
# At most this many (the counts measured). The doors' "is that every network?" check reads the network count
# with the memberships (`units.access.every_network`), so the doors a save passes add no query (1–3 before).
EXPECTED = {"case": 19, "section": 20, "temperature": 18, "family log": 11, "training": 18}

Save = tuple[str, dict[str, Any], dict[str, str]]


@pytest.fixture
def saves(people: Personas) -> Iterator[dict[str, Callable[[int], Save]]]:
    case = services.case_create(values=cooled_case_values(arrival_temp_c=Decimal("33.6")), by=people.nurse)
    centre = Unit.objects.get(ods_code="RGT01")
    training_unit = access.recordable_units(people.nurse).order_by("ods_code").first()
    assert training_unit is not None
    refs = count()

    def new_case(i: int) -> Save:
        born = timezone.now() - timedelta(hours=3, minutes=i)
        return "/cases/new/", {
            "case_ref": f"QUERIES-{next(refs)}", "birth_datetime": format_for_input(born), "sex": "female",
            "gestation_weeks": "39", "gestation_days": "2", "birth_weight_g": "3300", "multiple_birth": "no",
            "therapeutic_hypothermia": "yes", "birth_unit": str(centre.pk), "cooling_centre": str(centre.pk)}, {}

    def section(i: int) -> Save:
        case.refresh_from_db()
        data = referral_post(case, people.nurse, arrival_temp_c=("35.2", "33.5")[i % 2])
        return f"/cases/{case.pk}/section/referral/", data, {"HX-Request": "true"}

    def reading(i: int) -> Save:
        moment = case.birth_datetime + timedelta(hours=30, minutes=7 * i + 1)
        return f"/cases/{case.pk}/temperatures/", {
            "observed_at": format_for_input(moment), "temp_c": "33.5", "site": "rectal"}, {"HX-Request": "true"}

    def contact(i: int) -> Save:
        return f"/families/cases/{case.pk}/contacts/", {
            "contact-contacted_on": f"{timezone.localdate():%d/%m/%Y}", "contact-by_name": "Test Nurse",
            "contact-mode": "phone", "contact-note": f"Contact {i}"}, {}

    def training(i: int) -> Save:
        data = {"unit": str(training_unit.pk), "date": f"{timezone.localdate():%d/%m/%Y}", "trainer": "Trainer",
                "format": "simulation", "notes": f"session {i}"}
        data.update({f"headcount_{role.value}": "3" for role in StaffRole})
        return "/training/sessions/new/", data, {}

    yield {"case": new_case, "section": section, "temperature": reading, "family log": contact,
           "training": training}
    assert background.wait_idle(timeout=120)  # no drain may outlive the test's database


@override_settings(KPIS_DRAIN_AFTER_RESPONSE=True, KPIS_BACKGROUND_DRAIN_DELAY_SECONDS=0.2)
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_kind_of_save_makes_a_fixed_number_of_queries(
    kind: str, people: Personas, saves: dict[str, Callable[[int], Save]]
) -> None:
    client = Client()
    client.force_login(people.nurse)
    url, data, headers = saves[kind](0)
    assert client.post(url, data, headers=headers).status_code in (200, 302)

    url, data, headers = saves[kind](1)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data, headers=headers)

    assert response.status_code in (200, 302), response.content[:800]
    assert b"nhsuk-error-message" not in response.content, _errors(response.content)
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) <= EXPECTED[kind], "\n".join(sql[:100] for sql in statements)
    # No recompute in the request: nothing of the KPI tables is written there, only the pending mark.
    assert not [sql for sql in statements if "kpis_kpiaggregate" in sql or "kpis_caseoutcome" in sql]
    # ... which the saves that feed figures make (family contacts feed none).
    marked = [sql for sql in statements if "kpis_pendingrecompute" in sql]
    assert len(marked) == (0 if kind == "family log" else 1), "\n".join(sql[:100] for sql in statements)


def _errors(content: bytes) -> list[str]:
    import re

    text = content.decode()
    return [re.sub(r"<[^>]+>|\s+", " ", part)[:200] for part in re.findall(r'nhsuk-error-message.*?</span>.*?<', text,
                                                                       flags=re.S)]
