"""A failing nightly KPI run is recorded on KpiRun, shown on the dashboard, and emailed to administrators."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from config.celery import app as celery_app
from core import alerts
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from kpis import registry, tasks
from kpis.definitions.base import TH_LEVELS
from kpis.models import KpiRun
from kpis.outcome import Direction
from pathway import services
from units.models import Membership, Role, Unit


@pytest.fixture
def broken_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    def evaluate(facts: object, as_of: date) -> None:
        raise ZeroDivisionError("bad definition for 9434765919")

    # The first definition failing: the dashboard's freshness line follows runs of the HIE definitions.
    broken = SimpleNamespace(CODE=registry.KPIS[0].CODE, TITLE="Broken", SOURCE="test", VERSION=1,
                             DIRECTION=Direction.HIGHER,
                             LEVELS=TH_LEVELS, evaluate=evaluate)
    monkeypatch.setattr(registry, "KPIS", (broken,))


@pytest.fixture(autouse=True)
def like_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inline tasks that fail the way a worker's do: Celery records the failure (and sends task_failure)
    instead of raising into the caller, which CELERY_TASK_EAGER_PROPAGATES does in development."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


@pytest.fixture
def admins(people: Personas) -> list[str]:
    people.admin_user.email = "ada@nhs.example"
    people.admin_user.save()
    # A second administrator at another unit, an inactive one, and a non-administrator with an address.
    other = Membership.objects.create(user=people.lead, unit=Unit.objects.get(ods_code="RWG02"),
                                      role=Role.ADMINISTRATOR).user
    other.email = "leo@nhs.example"
    other.save()
    people.outsider.email = "otto@nhs.example"
    people.outsider.save()
    return ["ada@nhs.example", "leo@nhs.example"]


def test_failed_nightly_run_is_recorded_shown_and_emailed(
        people: Personas, admins: list[str], broken_definition: None, client: Client) -> None:
    services.case_create(values=cooled_case_values(case_ref="EOE-FAIL-1"), by=people.nurse)
    mail.outbox.clear()

    result = tasks.recompute_all.delay()

    assert result.failed() and isinstance(result.result, ZeroDivisionError)
    run = KpiRun.objects.get(trigger=KpiRun.Trigger.NIGHTLY)
    assert run.status == KpiRun.Status.FAILED and run.error.startswith("ZeroDivisionError")

    client.force_login(people.lead)
    page = client.get(reverse("kpis:unit", args=["RGT01"])).content.decode()
    assert "The last KPI run failed" in page and f"Run {run.pk}" in page

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == admins
    assert message.subject == "[Pathway tracker] Background task failed: kpis.tasks.recompute_all"
    assert "ZeroDivisionError" in message.body and "Recompute now" in message.body
    assert "9434765919" not in message.body  # the error text stays on the run, not in email


def test_a_succeeding_task_sends_nothing(people: Personas, admins: list[str]) -> None:
    services.case_create(values=cooled_case_values(case_ref="EOE-OK-1"), by=people.nurse)
    mail.outbox.clear()
    tasks.recompute_all.delay()
    assert mail.outbox == []


@override_settings(ALERT_EMAILS_ENABLED=False)
def test_alerts_can_be_switched_off(people: Personas, admins: list[str], broken_definition: None) -> None:
    services.case_create(values=cooled_case_values(case_ref="EOE-FAIL-2"), by=people.nurse)
    assert tasks.recompute_all.delay().failed()
    assert mail.outbox == []


def test_no_administrator_address_is_logged_not_raised(people: Personas, caplog: pytest.LogCaptureFixture) -> None:
    assert alerts.mail_task_failure("kpis.tasks.recompute_all", "abc", RuntimeError("x")) == 0
    assert mail.outbox == [] and "no administrator has an email address" in caplog.text
