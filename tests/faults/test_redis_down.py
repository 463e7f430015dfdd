"""Redis down: a case still saves; the recompute it would have queued is lost, and the next full run
(the nightly `recompute_all`, or "Recompute now") brings the figures up to date.

No "missed recompute" record is kept: the nightly run recomputes every period from the cases, so the
worst case is figures up to a day old, which the dashboard's freshness line shows (last successful run).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services as kpi_services
from kpis.models import KpiAggregate, KpiRun
from pathway import services
from pathway.models import Case


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _forget_broker_connections() -> None:
    # As kpis/tests/test_celery_worker.py: a producer pool keeps the broker URL it was created with.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
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
        django_capture_on_commit_callbacks: Callable[..., object]) -> None:
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = services.case_create(values=cooled_case_values(case_ref="EOE-REDIS-1", birth=birth),
                                    by=people.nurse)

    # The recompute was attempted after commit, failed to reach the broker, and did not undo the save.
    assert len(callbacks) == 1  # type: ignore[arg-type]
    assert Case.objects.filter(pk=case.pk, case_ref="EOE-REDIS-1").exists()
    assert "Error calling" in caplog.text and "send" in caplog.text
    assert not KpiAggregate.objects.filter(period_key="2024-05").exists()  # figures are now stale

    # Redis is still down at 02:00: beat would not run either, but the run itself needs no broker.
    run = kpi_services.compute(trigger=KpiRun.Trigger.NIGHTLY)

    assert run.status == KpiRun.Status.SUCCEEDED
    cases_in_may = KpiAggregate.objects.filter(run=run, period_key="2024-05", org_code="network")
    assert cases_in_may.exists()
    assert max(a.denominator for a in cases_in_may) >= 1
