"""Integration: a case save queues a recompute that a real Celery worker (Redis broker) runs.

Skipped, with the reason, when Redis is not reachable at REDIS_TEST_URL (default redis://127.0.0.1:6379/0).
The worker runs in a thread of this process on a queue of its own, and every key it and the sender write
in Redis (queues, bindings, unacknowledged messages) carries a prefix of its own, named after the
pytest-xdist worker: so it cannot take anyone else's tasks, nor a parallel test's, and what it leaves is
removed by prefix. It reads and writes the test database through its own connection (hence a transactional
test).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core.cache import cache
from django.db import OperationalError, connections
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from core.security import RedactNhsNumbersFilter
from core.testing.factories import cooled_case_values
from core.testing.personas import make_personas
from core.timeutil import LONDON
from kpis.models import KpiAggregate, KpiRun, PendingRecompute
from pathway import services
from units.services import network_load_reference

REDIS_URL = os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
T = TypeVar("T")

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_unreachable() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {REDIS_URL} ({exc}); start it to run the real-worker test"
    return None


EXECUTED: list[tuple[str, bool]] = []  # (task name, ran inline?) for each task that finished


def _after_task(task: Any = None, **kwargs: Any) -> None:
    EXECUTED.append((task.name, bool(task.request.is_eager)))
    # The worker thread opens its own database connections; close them so the test database can be dropped.
    connections.close_all()


def _forget_broker_connections() -> None:
    # Eager tasks (the rest of the suite) open the producer pool on memory://, and a pool keeps the broker URL
    # it was made with: drop it so the next send connects to the broker configured now.
    # kombu also keeps pools in process-wide registries keyed by broker URL: a pool closed here would be handed
    # out again from there ("Acquire on closed pool"), so reset those too.
    app: Any = celery_app  # its pools are private: the stubs leave them out
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()


def own_names() -> tuple[str, str]:
    """A queue name and a Redis key prefix for one test, named after the pytest-xdist worker (gw0, gw1...)."""
    name = f"pathway-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:12]}"
    return f"kpis-{name}", f"{name}:"


@contextmanager
def celery_on_redis(queue: str, prefix: str) -> Iterator[None]:
    """Send tasks to Redis instead of running them inline, routing the KPI tasks to `queue`, every broker key
    under `prefix`."""
    keys = ("broker_url", "broker_transport_options", "result_backend_transport_options", "task_always_eager",
            "task_routes")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=REDIS_URL, broker_transport_options={"global_keyprefix": prefix},
                           result_backend_transport_options={"global_keyprefix": prefix},
                           task_always_eager=False, task_routes={"kpis.tasks.*": {"queue": queue}})
    _forget_broker_connections()
    task_postrun.connect(_after_task, weak=False)
    try:
        yield
    finally:
        task_postrun.disconnect(_after_task)
        celery_app.conf.update(saved)
        _forget_broker_connections()
        _remove_keys(prefix)


def _remove_keys(prefix: str) -> None:
    """Delete what kombu left in Redis under the test's own prefix, and nothing else."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def wait_for(found: Callable[[], T | None], *, seconds: float = 60) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = found()
        except OperationalError:  # SQLite: the worker holds the write lock for a moment
            result = None
        if result is not None:
            return result
        time.sleep(0.2)
    raise AssertionError(f"Nothing after {seconds} s")


def finished_run() -> KpiRun | None:
    return KpiRun.objects.exclude(status=KpiRun.Status.RUNNING).first()


@contextmanager
def real_worker() -> Iterator[str]:
    """A worker on a queue of its own, with the KPI tasks routed to it and nothing left from earlier tests;
    gives the Redis key prefix it uses."""
    reason = _redis_unreachable()
    if reason:
        pytest.skip(reason)
    queue, prefix = own_names()
    EXECUTED.clear()
    cache.clear()  # no drain flag left by an earlier test
    with celery_on_redis(queue, prefix), start_worker(celery_app, perform_ping_check=False, queues=[queue],
                                                      shutdown_timeout=30):
        yield prefix


@pytest.fixture
def nurse() -> Any:
    network_load_reference()
    return make_personas().nurse


def test_a_case_save_is_recomputed_by_a_real_worker(nurse: Any) -> None:
    with real_worker():
        case = services.case_create(values=cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)),
                                    by=nurse)  # autocommit: the recompute is sent to Redis as it commits
        run = wait_for(finished_run)

    assert EXECUTED == [("kpis.tasks.recompute_pending", False)]  # by the worker, not inline
    assert (run.status, run.error) == (KpiRun.Status.SUCCEEDED, "")
    assert (run.trigger, run.triggered_by_id, run.progress_total) == ("case_saved", nurse.pk, 1)
    assert {"2024", "2024-Q2", "2024-05", "R12-2024-05"} <= set(run.period_keys)
    row = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", period_key="2024")
    assert (row.numerator, row.denominator, row.run_id) == (1, 1, run.pk)
    assert KpiAggregate.objects.filter(level="birth_unit", org__ods_code="RWG02", period_key="2024-05").exists()
    assert case.kpi_outcomes.count() > 0
    assert not PendingRecompute.objects.exists()  # the drain took what the save marked
    # The worker left Django's logging alone: its handlers still redact NHS numbers.
    assert any(isinstance(f, RedactNhsNumbersFilter) for h in logging.getLogger().handlers for f in h.filters)


def test_the_worker_keeps_its_redis_keys_under_a_prefix_of_its_own(nurse: Any) -> None:
    """Parallel test processes share one Redis database: each keeps its queue, bindings and unacknowledged
    messages under its own prefix, and leaves nothing behind."""
    client = redis.Redis.from_url(REDIS_URL)
    with real_worker() as prefix:
        services.case_create(values=cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)),
                             by=nurse)
        wait_for(finished_run)
        keys = [key.decode() for key in client.scan_iter(match="*pathway-test-*")]
        assert any(key.startswith(f"{prefix}_kombu.binding.") for key in keys), keys
        assert [key for key in keys if prefix[:-1] in key and not key.startswith(prefix)] == []

    assert prefix.startswith(f"pathway-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
    assert list(client.scan_iter(match=f"{prefix}*")) == []


def test_saves_in_a_burst_share_one_recompute_run(nurse: Any) -> None:
    """Three saves inside the delay: one drain is sent, and its single run counts all three cases."""
    with real_worker():
        for day in (3, 9, 20):
            services.case_create(values=cooled_case_values(birth=datetime(2024, 5, day, 3, 10, tzinfo=LONDON)),
                                 by=nurse)
        run = wait_for(finished_run)
        time.sleep(1)  # room for a second drain, if one had been sent, to show up in EXECUTED

    assert EXECUTED == [("kpis.tasks.recompute_pending", False)]
    assert (run.status, run.trigger, run.progress_total) == (KpiRun.Status.SUCCEEDED, "case_saved", 3)
    assert KpiRun.objects.count() == 1
    row = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", period_key="2024-05")
    assert (row.numerator, row.denominator) == (3, 3)
