"""Redis down: a case still saves, and the recompute it could not queue is not lost.

The save's periods are recorded as `PendingRecompute` rows in PostgreSQL before any message is sent, so
when the broker is back the next drain (beat runs `recompute_pending` every 5 minutes, and any later save
sends one) recomputes exactly those periods; the nightly full run would catch up in any case.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services as kpi_services
from kpis import tasks as kpi_tasks
from kpis.models import KpiAggregate, KpiRun, PendingRecompute
from pathway import services
from pathway.models import Case


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _forget_broker_connections() -> None:
    # As kpis/tests/test_celery_worker.py: a producer pool keeps the broker URL it was created with.
    app: Any = celery_app  # its pools are private: the stubs leave them out
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.fixture
def redis_down() -> Iterator[str]:
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    keys = ("broker_url", "task_always_eager", "task_publish_retry_policy", "broker_connection_timeout")
    saved = {key: celery_app.conf[key] for key in keys}
    # Few, quick publish retries so the test does not wait out the production back-off.
    celery_app.conf.update(broker_url=url, task_always_eager=False, broker_connection_timeout=1,
                           task_publish_retry_policy={"max_retries": 1, "interval_start": 0,
                                                      "interval_step": 0.1, "interval_max": 0.1})
    _forget_broker_connections()
    try:
        yield url
    finally:
        celery_app.conf.update(saved)
        _forget_broker_connections()


def test_case_saves_while_redis_is_down_and_the_nightly_run_catches_up(
        people: Personas, redis_down: str, caplog: pytest.LogCaptureFixture,
        django_capture_on_commit_callbacks: Any) -> None:
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = services.case_create(values=cooled_case_values(case_ref="EOE-REDIS-1", birth=birth),
                                    by=people.nurse)

    # The recompute was attempted after commit, failed to reach the broker, and did not undo the save.
    assert len(callbacks) == 1
    assert Case.objects.filter(pk=case.pk, case_ref="EOE-REDIS-1").exists()
    assert "Error calling" in caplog.text and "send" in caplog.text
    assert not KpiAggregate.objects.filter(period_key="2024-05").exists()  # figures are now stale
    assert {"2024", "2024-Q2", "2024-05", "R12-2024-05"} <= set(
        PendingRecompute.objects.values_list("period_key", flat=True))  # ...and the database says which

    # Redis is still down at 02:00: beat would not run either, but the run itself needs no broker.
    run = kpi_services.compute(trigger=KpiRun.Trigger.NIGHTLY)

    assert run.status == KpiRun.Status.SUCCEEDED
    cases_in_may = KpiAggregate.objects.filter(run=run, period_key="2024-05", level="network")
    assert cases_in_may.exists()
    assert max(a.denominator for a in cases_in_may) >= 1


def test_the_recompute_missed_while_redis_was_down_runs_when_it_is_back(
        people: Personas, redis_down: str, django_capture_on_commit_callbacks: Any) -> None:
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_create(values=cooled_case_values(case_ref="EOE-REDIS-2", birth=birth), by=people.nurse)
    assert not KpiRun.objects.exists()

    # Redis is back: beat's 5-minute `recompute_pending` (here called as the worker would) drains the keys.
    run_id = kpi_tasks.recompute_pending()
    assert run_id is not None
    run = KpiRun.objects.get(pk=run_id)

    assert (run.status, run.trigger, run.scope) == (KpiRun.Status.SUCCEEDED, "case_saved", KpiRun.Scope.PERIODS)
    assert {"2024", "2024-Q2", "2024-05", "R12-2024-05"} <= set(run.period_keys)
    row = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", period_key="2024-05")
    assert (row.numerator, row.denominator, row.run_id) == (1, 1, run.pk)
    assert not PendingRecompute.objects.exists()
    assert kpi_tasks.recompute_pending() is None  # nothing left: a second drain does nothing
