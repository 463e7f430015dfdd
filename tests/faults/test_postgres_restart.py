"""PostgreSQL restarted while the app runs: the next request reconnects by itself (CONN_HEALTH_CHECKS).

A restart ends every server process, so each connection a worker kept (CONN_MAX_AGE > 0) is dead. Here the
server side of the test's own connection is ended with pg_terminate_backend from a second connection, which
is what a restart does to it. PostgreSQL only: SQLite has no server to restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no server"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def persistent_connection(request: pytest.FixtureRequest) -> Iterator[None]:
    """Connections kept across requests, as in production with CONN_MAX_AGE, health checks as configured."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=request.param)
    connection.close()  # the next connect() reads the settings above
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _get(client: Client, url: str) -> Any:
    """A request as a real server makes it: the test client disconnects Django's request_started handler
    (close_old_connections, which lets the next query health-check a kept connection), so send it here."""
    request_started.send(sender=WSGIHandler)
    return client.get(url)


def _restart_backend() -> None:
    """End the server process behind Django's connection, from another connection."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


@pytest.mark.parametrize("persistent_connection", [True], indirect=True)
def test_next_request_succeeds_after_the_server_ends_the_connection(
        persistent_connection: None, people: Personas) -> None:
    client = Client()
    client.force_login(people.nurse)
    assert _get(client, reverse("pathway:case_list")).status_code == 200
    kept = connection.connection
    _restart_backend()

    response = _get(client, reverse("pathway:case_list"))

    assert response.status_code == 200
    assert connection.connection is not kept  # a fresh connection, opened by the health check's failure


@pytest.mark.parametrize("persistent_connection", [False], indirect=True)
def test_without_health_checks_the_first_request_fails(persistent_connection: None, people: Personas) -> None:
    """The control: the setting is what makes the difference."""
    client = Client()
    client.force_login(people.nurse)
    assert _get(client, reverse("pathway:case_list")).status_code == 200
    _restart_backend()

    with pytest.raises(DatabaseError):
        _get(client, reverse("pathway:case_list"))
    # Django drops a connection that raised, so even then the request after recovers.
    assert _get(client, reverse("pathway:case_list")).status_code == 200
