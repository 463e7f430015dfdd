"""/health/: 200 when the database, cache, broker, export directory and HIE KPI runs are all fine; 503 naming
each failing check; no sign-in; nothing in the answer but ok/fail per check.

Real services throughout: the test database (PostgreSQL in CI), Redis at REDIS_TEST_URL (as the real-worker
test), a real export directory. A failure is a real one: a connection to a port nothing listens on, a
directory that cannot be written, a failed or old KPI run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from core import health
from kpis.models import KpiRun

REDIS_URL = os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
CHECKS = {"database", "cache", "broker", "storage", "hie_kpis"}

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_cache(url: str) -> dict[str, Any]:
    return {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


@pytest.fixture
def real_services(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """As in production: the shared cache and the broker on Redis, exports under a directory of their own,
    and last night's HIE run succeeded."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}); start it to run the health checks")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", REDIS_URL)
    KpiRun.objects.create(as_of=date.today(), status=KpiRun.Status.SUCCEEDED, scope=KpiRun.Scope.FULL,
                          started_at=timezone.now() - timedelta(hours=8, minutes=1),
                          finished_at=timezone.now() - timedelta(hours=8))
    with override_settings(CACHES=_redis_cache(REDIS_URL), MEDIA_ROOT=tmp_path):
        yield


def _health(client: Client | None = None) -> tuple[int, dict[str, Any]]:
    response = (client or Client()).get(reverse("health"))
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def _failing(body: dict[str, Any]) -> set[str]:
    assert set(body["checks"]) == CHECKS and set(body["checks"].values()) <= {"ok", "fail"}
    return {name for name, result in body["checks"].items() if result == "fail"}


def test_all_fine_is_200_and_needs_no_sign_in(real_services: None) -> None:
    status, body = _health()
    assert (status, body["status"], _failing(body)) == (200, "ok", set())
    assert set(body) == {"status", "checks"}  # nothing else: no versions, hosts, paths or errors


def test_the_database_down(real_services: None, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = dict(connection.settings_dict, HOST="127.0.0.1", PORT=str(_closed_port()), NAME="absent")
    if connection.vendor == "sqlite":
        unreachable.update(NAME="/nonexistent/directory/db.sqlite3")
    # A connection of its own (the same engine), to a server that is not there.
    down = type(connections[DEFAULT_DB_ALIAS])(unreachable, alias="health-test")
    monkeypatch.setattr(health, "connection", down)
    try:
        status, body = _health()
    finally:
        down.close()
    assert (status, body["status"], _failing(body)) == (503, "fail", {"database"})


def test_the_cache_down(real_services: None) -> None:
    # The cache answers an unreachable Redis as a miss, never an error: the check must notice all the same.
    with override_settings(CACHES=_redis_cache(f"redis://127.0.0.1:{_closed_port()}/0")):
        status, body = _health()
    assert (status, _failing(body)) == (503, {"cache"})


def test_the_broker_down(real_services: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    status, body = _health()
    assert (status, _failing(body)) == (503, {"broker"})


def test_without_a_broker_tasks_run_inline_and_there_is_nothing_to_reach(
        real_services: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    assert _health()[0] == 200


@contextmanager
def _unwritable(directory: Path) -> Iterator[None]:
    """A directory no file can be created in, even by root (immutable where the file system allows it)."""
    directory.chmod(0o500)
    immutable = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(directory)], capture_output=True,
                                                      check=False).returncode == 0
    try:
        try:
            (directory / "probe").touch()
        except OSError:
            yield
        else:
            (directory / "probe").unlink()
            pytest.skip("cannot make a directory unwritable for this user on this file system")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
        directory.chmod(0o700)


def test_an_unwritable_export_directory(real_services: None, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    with _unwritable(exports):
        status, body = _health()
    assert (status, _failing(body)) == (503, {"storage"})
    assert not list(exports.iterdir())


def test_no_export_directory_can_be_made(real_services: None, tmp_path: Path) -> None:
    (tmp_path / "exports").write_text("a file where the directory should be")
    status, body = _health()
    assert (status, _failing(body)) == (503, {"storage"})


def test_the_last_hie_run_failed(real_services: None) -> None:
    KpiRun.objects.create(as_of=date.today(), status=KpiRun.Status.FAILED, error="ZeroDivisionError: boom",
                          finished_at=timezone.now())
    status, body = _health()
    assert (status, _failing(body)) == (503, {"hie_kpis"})
    assert "ZeroDivisionError" not in json.dumps(body)


def test_no_hie_run_has_succeeded_for_26_hours(real_services: None) -> None:
    KpiRun.objects.update(started_at=timezone.now() - timedelta(hours=27),
                          finished_at=timezone.now() - timedelta(hours=26, minutes=1))
    assert _failing(_health()[1]) == {"hie_kpis"}
    # Another producer's success says nothing about the HIE figures; a new HIE full run does.
    KpiRun.objects.create(producer="pop", as_of=date.today(), status=KpiRun.Status.SUCCEEDED,
                          scope=KpiRun.Scope.FULL, finished_at=timezone.now())
    assert _failing(_health()[1]) == {"hie_kpis"}
    KpiRun.objects.create(as_of=date.today(), status=KpiRun.Status.SUCCEEDED, scope=KpiRun.Scope.FULL,
                          finished_at=timezone.now())
    assert _health()[0] == 200


def test_no_hie_run_ever_is_a_failure(real_services: None) -> None:
    KpiRun.objects.all().delete()
    assert _failing(_health()[1]) == {"hie_kpis"}


def test_several_failures_are_all_named(real_services: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    KpiRun.objects.all().delete()
    status, body = _health()
    assert (status, _failing(body)) == (503, {"broker", "hie_kpis"})


def test_a_signed_in_user_gets_the_same_answer_and_only_get_or_head(real_services: None, people: Any) -> None:
    client = Client()
    client.force_login(people.nurse)
    assert _health(client) == _health()
    assert Client().head(reverse("health")).status_code == 200
    assert Client().post(reverse("health")).status_code == 405
