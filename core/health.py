"""`/health/`: is this installation working? For the proxy's and the monitoring's probes (docs/deployment.md)
and the load test.

Five checks, each only "ok" or "fail": the database answers; the cache stores and returns a value; the Celery
broker answers (with no broker, tasks run inline: nothing to reach); the export directory can be written; and
the HIE KPI figures are current: the last full HIE run finished within 26 hours (the nightly run is at 02:00)
and the newest HIE run did not fail. All ok: 200, else 503 naming the checks that failed.

No sign-in is needed, so the answer holds nothing else: no patient data, no versions, hosts, paths or error
text (why a check failed goes to the server log, for the people who run it). Never cached.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)
OK, FAIL = "ok", "fail"
PROBE_TIMEOUT_SECONDS = 2  # a probe must answer quickly even when a service hangs


def database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_round_trip() -> bool:
    """The cache answers every failure as a miss (`core.cache`), so only a value read back proves it works."""
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        return cache.get(key) == value
    finally:
        cache.delete(key)


def broker() -> bool:
    from config.celery import app

    if app.conf.task_always_eager:
        return True  # no REDIS_URL: tasks run inline, there is no broker to reach
    url = str(app.conf.broker_url)
    client = redis.Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                                  socket_timeout=PROBE_TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    finally:
        client.close()


def export_directory() -> Path:
    """Where export files are written (`reporting.services`: MEDIA_ROOT/exports)."""
    return Path(settings.MEDIA_ROOT) / "exports"


def storage() -> bool:
    """A file can be created, written and removed where the exports go (created if missing, as exports do)."""
    directory = export_directory()
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".health-", delete=True) as probe:
        probe.write(b"ok")
        probe.flush()
    return True


def hie_kpis() -> bool:
    from kpis.freshness import freshness
    from kpis.models import HIE

    fresh = freshness(HIE)
    return not fresh.stale and fresh.failed is None


CHECKS: dict[str, Callable[[], bool]] = {
    "database": database,
    "cache": cache_round_trip,
    "broker": broker,
    "storage": storage,
    "hie_kpis": hie_kpis,
}


def _run(name: str, check: Callable[[], bool]) -> str:
    try:
        passed = check()
    except Exception:
        logger.exception("Health check %s failed", name)
        return FAIL
    if not passed:
        logger.error("Health check %s failed", name)
    return OK if passed else FAIL


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    results = {name: _run(name, check) for name, check in CHECKS.items()}
    healthy = all(result == OK for result in results.values())
    return JsonResponse({"status": OK if healthy else FAIL, "checks": results}, status=200 if healthy else 503)
