"""The Celery tasks are thin: they call compute, and a failure leaves a failed run (Celery eager here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app as celery_app
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import pending, registry, services, tasks
from kpis.definitions.base import TH_LEVELS
from kpis.models import KpiAggregate, KpiRun
from kpis.outcome import Direction
from pathway.models import Case
from units.models import Network


@pytest.fixture
def a_case(network: Network) -> Case:
    return Case.objects.create(**cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))


def test_recompute_all_is_a_nightly_full_run(a_case: Case) -> None:
    run_id = tasks.recompute_all.delay().get()

    run = KpiRun.objects.get(pk=run_id)
    assert (run.trigger, run.scope, run.status) == ("nightly", "full", "succeeded")
    assert KpiAggregate.objects.filter(run=run, period_key="2024").exists()


def test_recompute_pending_records_who_saved(a_case: Case, people: Personas) -> None:
    pending.mark(["2024-05"], producer=services.HIE)
    run_id = tasks.recompute_pending.delay(triggered_by_id=people.nurse.pk).get()
    assert run_id is not None
    run = KpiRun.objects.get(pk=run_id)
    assert (run.trigger, run.period_keys, run.triggered_by) == ("case_saved", ["2024-05"], people.nurse)
    assert set(KpiAggregate.objects.values_list("period_key", flat=True)) == {"2024-05"}


def test_a_failing_task_leaves_a_failed_run(a_case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    def evaluate(facts: object, as_of: date) -> None:
        raise ZeroDivisionError("bad definition")

    broken = SimpleNamespace(CODE="broken", TITLE="Broken", SOURCE="test", VERSION=2, DIRECTION=Direction.HIGHER,
                             LEVELS=TH_LEVELS, evaluate=evaluate)
    monkeypatch.setattr(registry, "KPIS", (broken,))

    with pytest.raises(ZeroDivisionError):
        tasks.recompute_all.delay()

    run = KpiRun.objects.get()
    assert (run.status, run.trigger) == ("failed", "nightly")
    assert run.error.startswith("ZeroDivisionError: bad definition")
    assert run.definition_versions["broken"] == 2


def test_nightly_schedule_is_two_in_the_morning_uk_time() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["kpis-recompute-all-nightly"]
    assert entry["task"] == "kpis.tasks.recompute_all" == tasks.recompute_all.name
    assert entry["schedule"] == crontab(hour="2", minute="0")
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert "kpis.tasks.recompute_pending" in celery_app.tasks


# --- The dashboard's "Recompute now" -------------------------------------------------------------


def test_start_full_recompute_runs_inline_when_celery_is_eager(a_case: Case, people: Personas) -> None:
    run = services.start_full_recompute(by=people.lead)

    assert (run.status, run.scope, run.trigger, run.triggered_by) == ("succeeded", "full", "manual", people.lead)
    assert (run.progress_done, run.progress_total) == (1, 1)
    assert KpiAggregate.objects.filter(run=run, period_key="2024").exists()


def test_start_full_recompute_queues_on_commit_for_a_worker(
        a_case: Case, people: Personas, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    sent: list[int] = []
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.recompute_run, "delay", sent.append)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.start_full_recompute(by=people.lead)
        assert run.status == "running" and sent == []  # not before the commit: the worker could not see the run
    assert len(callbacks) == 1 and sent == [run.pk]


def test_a_run_that_cannot_be_queued_is_marked_failed(
        a_case: Case, people: Personas, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("Redis is not running")

    monkeypatch.setattr(tasks.recompute_run, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_full_recompute(by=people.lead)

    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("ConnectionRefusedError: Redis is not running")


def _count_drawing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every chart drawn from now on (bar chart, funnel plot, run chart), by title."""
    from kpis import pagecharts

    drawn: list[str] = []
    for name in ("rate_bar_chart", "funnel_plot", "run_chart"):
        draw = getattr(pagecharts, name)
        def drawing(*a: Any, _draw: Any = draw, **k: Any) -> Any:
            drawn.append(k["title"])
            return _draw(*a, **k)

        monkeypatch.setattr(pagecharts, name, drawing)
    return drawn


def test_a_job_that_succeeds_draws_the_overview_chart_for_its_first_visitor(
        a_case: Case, people: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the nightly run the page finds its figures and chart ready: opening it calls matplotlib no more."""
    from django.test import Client
    from django.urls import reverse

    settings.KPIS_WARM_CHARTS = True
    drawn = _count_drawing(monkeypatch)

    tasks.recompute_all.delay().get()
    # inline: the overview only, titled by the network
    assert drawn == [drawn[0]] and drawn[0].startswith("East of England Neonatal ODN KPIs, 12 months to")

    client = Client()
    client.force_login(people.consultant)
    page = client.get(reverse("kpis:overview")).content.decode()
    assert len(drawn) == 1  # the page used the chart the job drew
    assert drawn[0] in page


def test_with_a_worker_the_job_also_draws_the_charts_the_overview_links_to(
        a_case: Case, people: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker (not a save's own request) draws the default period's funnel plots and the network run charts,
    so a network lead following a link after a run waits for no chart either."""
    from django.test import Client
    from django.urls import reverse

    from kpis import overview

    settings.KPIS_WARM_CHARTS = True
    drawn = _count_drawing(monkeypatch)
    monkeypatch.setattr(pending, "celery_runs_inline", lambda: False)
    tasks.recompute_all.delay().get()  # a full run
    assert len(drawn) == 1 + len(registry.KPIS) + len(registry.REGISTRY)  # bars, funnels, run charts
    drawn.clear()
    services.compute(periods=["2024-05"])  # a burst of saves that changed no figure: nothing to draw again
    overview.warm()
    assert drawn == []

    client = Client()
    client.force_login(people.lead)
    for code in ("cooling_started_6h", "age_at_cooling_start_min"):
        assert client.get(reverse("kpis:run", args=[code])).status_code == 200
    assert client.get(reverse("kpis:funnel", args=["target_temp_6h"])).status_code == 200
    assert drawn == []  # nothing drawn on those requests


def test_warming_is_off_when_the_setting_says_so(a_case: Case, settings: Any) -> None:
    from kpis import overview

    settings.KPIS_WARM_CHARTS = False
    tasks.recompute_all.delay().get()
    assert overview.warm() is False
