"""Without Redis, a save's KPI recompute runs after the response, never inside the request (issue 13,
`kpis.background`): the request answers with its figures untouched, and the background drain brings them up to
date a moment later. Outside a request (commands, service calls) the drain still runs inline.

Real commits (transactional database), so the on-commit queueing runs as it does in production.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import format_for_input
from kpis import background
from kpis.models import CaseOutcome, KpiRun, PendingRecompute
from pathway import services
from pathway.forms import SECTION_FORMS
from pathway.models import Case

pytestmark = pytest.mark.django_db(transaction=True)
AFTER_RESPONSE = {"KPIS_DRAIN_AFTER_RESPONSE": True, "KPIS_BACKGROUND_DRAIN_DELAY_SECONDS": 0.3}


def referral_post(case: Case, user: Any, **changes: str) -> dict[str, Any]:
    form = SECTION_FORMS["referral"](user=user, case=case)
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        value = getattr(value, "pk", value)
        data[name] = "" if value is None else (format_for_input(value) if hasattr(value, "tzinfo") else value)
    data.update(changes)
    return data


def outcome(case: Case, kpi: str) -> str | None:
    return CaseOutcome.objects.filter(case=case, kpi=kpi).values_list("outcome", flat=True).first()


@override_settings(**AFTER_RESPONSE)
def test_a_section_save_answers_before_the_recompute_which_follows_in_the_background(people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(arrival_temp_c=Decimal("33.6")), by=people.nurse)
    assert outcome(case, "arrival_temp_in_range") == "met"  # a service call outside a request: inline
    runs = KpiRun.objects.count()
    client = Client()
    client.force_login(people.nurse)

    response = client.post(f"/cases/{case.pk}/section/referral/",
                           referral_post(case, people.nurse, arrival_temp_c="35.2"))

    assert response.status_code == 302
    # Answered with the recompute still to come: no run yet, the periods pending, the old outcome stored.
    assert KpiRun.objects.count() == runs
    assert PendingRecompute.objects.filter(producer="hie").exists()
    assert outcome(case, "arrival_temp_in_range") == "met"

    assert background.wait_idle(timeout=60)
    assert KpiRun.objects.count() == runs + 1
    newest = KpiRun.objects.order_by("-id").first()
    assert newest is not None and newest.status == KpiRun.Status.SUCCEEDED
    assert outcome(case, "arrival_temp_in_range") == "not_met"
    assert not PendingRecompute.objects.filter(producer="hie").exists()


@override_settings(**AFTER_RESPONSE)
def test_saves_in_a_burst_share_one_background_run(people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(), by=people.nurse)
    runs = KpiRun.objects.count()
    client = Client()
    client.force_login(people.nurse)
    for temp in ("35.2", "33.5", "35.0"):
        case.refresh_from_db()
        client.post(f"/cases/{case.pk}/section/referral/", referral_post(case, people.nurse, arrival_temp_c=temp))

    assert background.wait_idle(timeout=60)
    assert KpiRun.objects.count() == runs + 1
    assert outcome(case, "arrival_temp_in_range") == "not_met"


@override_settings(KPIS_DRAIN_AFTER_RESPONSE=False)
def test_switched_off_the_drain_runs_inline_as_before(people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(), by=people.nurse)
    client = Client()
    client.force_login(people.nurse)
    client.post(f"/cases/{case.pk}/section/referral/", referral_post(case, people.nurse, arrival_temp_c="35.2"))
    assert outcome(case, "arrival_temp_in_range") == "not_met"


def test_drain_kpis_recomputes_the_pending_periods_of_a_producer(people: Personas) -> None:
    from io import StringIO

    from django.core.management import call_command

    case = services.case_create(values=cooled_case_values(), by=people.nurse)
    Case.objects.filter(pk=case.pk).update(arrival_temp_c=Decimal("35.2"))  # behind the figures' back
    from kpis import pending
    from kpis.services import periods_for_case

    pending.mark([p.key for p in periods_for_case(case)], producer="hie")  # marked, no drain sent
    out = StringIO()
    call_command("drain_kpis", "hie", stdout=out)
    assert out.getvalue().startswith("hie: run ")
    assert outcome(case, "arrival_temp_in_range") == "not_met"
    assert not PendingRecompute.objects.filter(producer="hie").exists()
