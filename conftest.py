"""Shared fixtures: the reference network and the personas, on the real test database."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

# Playwright's sync API runs an event loop in the test thread (stack.md pitfall 3).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from core.testing.personas import Personas, make_personas
from units.models import Network
from units.services import network_load_reference


@pytest.fixture
def network(db: None) -> Network:
    return network_load_reference()


@pytest.fixture
def people(network: Network) -> Personas:
    return make_personas()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test (browser tests, the real Celery worker) gets serialized rollback.

    A transactional test empties every table when it ends, including the rows data migrations put there
    (key messages, family pages, national comparators); serialized rollback reloads them before the next
    one. It must be all or none: a plain transactional test's flush re-creates content types with new ids,
    which the reload would then collide with.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction")) or any(
            name in getattr(item, "fixturenames", ()) for name in ("transactional_db", "live_server"))
        if transactional:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False)



_SERIALIZED: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> None:
    """pytest-django's database setup, then a copy of the serialized database (see below)."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            _SERIALIZED[alias] = contents
            _RELOADED.add(alias)


@pytest.fixture(autouse=True)
def _serialized_contents_for_every_context(request: pytest.FixtureRequest) -> None:
    """Put the serialized database where each transactional test's rollback looks for it.

    Django keeps it on the connection object, and connections are per context: Playwright's sync API runs
    tests in a greenlet, whose context gets a fresh connection without it, so the reload silently did
    nothing. Runs before the database fixtures (autouse fixtures come first).
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("serialized_rollback")):
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connections

    for alias, contents in _SERIALIZED.items():
        connection: Any = connections[alias]  # the test runner's private attribute, left out of the stubs
        connection._test_serialized_contents = contents


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test's flush, put the migrations' rows back at once.

    Django reloads them only when the *next* transactional test starts. pytest-xdist's first chunks can hand
    a worker transactional tests (browser, real worker) before ordinary ones, which then met empty tables:
    no key messages, national comparators or impact inputs.
    """
    yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None or not (marker and marker.kwargs.get("serialized_rollback") and _SERIALIZED):
        return  # the last test: the session's teardown has already dropped the test database
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for alias, contents in _SERIALIZED.items():
            _reload_into_empty_tables(connections[alias], contents)
            _RELOADED.add(alias)


# Databases holding exactly the migrations' rows (serialized above): just created, or reloaded after a
# transactional test's flush; ordinary tests roll back, so they leave it so. A transactional test starting on
# such a database skips Django's own reload of the same rows (one UPDATE per row, ~290 rows).
_RELOADED: set[str] = set()


def _reload_into_empty_tables(connection: Any, contents: str) -> None:
    """Django's deserialize_db_from_string, for tables a flush has just emptied: one INSERT per table
    (bulk_create) instead of an UPDATE then an INSERT per row. Django's reload saves raw, and this
    project's receivers do nothing for a raw save, so sending no signals at all changes nothing. Rows with
    many-to-many data (none today) go through Django's own reload."""
    from django.core import serializers
    from django.db import transaction

    objects = list(serializers.deserialize("json", contents, using=connection.alias))
    if any(any((obj.m2m_data or {}).values()) or obj.deferred_fields for obj in objects):
        connection.creation.deserialize_db_from_string(contents)
        return
    by_model: dict[Any, list[Any]] = {}
    for obj in objects:
        by_model.setdefault(type(obj.object), []).append(obj.object)
    with transaction.atomic(using=connection.alias):  # foreign keys are checked as it commits
        for model, rows in by_model.items():
            model._base_manager.using(connection.alias).bulk_create(rows)


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_empty_tables_with_delete() -> Iterator[None]:
    """A transactional test's closing flush DELETEs the rows of the tables that have any, instead of Django's
    TRUNCATE of every table.

    Why: TRUNCATE gives each of the ~56 tables (and their indexes) new files, synced at commit; on the shared
    2-core machine that took 1.5–2.5 s a flush (a DELETE of the same tables: 0.05 s), for each of the ~70
    transactional tests on every CI run. The outcome is the same: every table empty, sequences not reset (the
    flush's reset_sequences=False), post_migrate not sent. Django's foreign keys are DEFERRABLE INITIALLY
    DEFERRED on PostgreSQL, so rows go in any order and the checks run once the transaction commits. Any other
    case (another database, reset sequences, CASCADE for available_apps, a foreign key that is not deferrable)
    keeps Django's TRUNCATE. Only this teardown changes: `flush` and `sql_flush` elsewhere (core.backup's
    restore, say) still TRUNCATE.

    And its set-up skips Django's reload of the migrations' rows when the database holds them already
    (`_RELOADED`: the hook above reloaded them after the last flush).
    """
    from django.test import TransactionTestCase

    case_class: Any = TransactionTestCase  # its private methods are left out of the stubs
    original_setup, original_teardown = case_class.__dict__["_fixture_setup"], case_class._fixture_teardown

    def setup(cls: Any) -> None:
        from unittest import mock

        from django.db import connections

        with contextlib.ExitStack() as stack:
            for alias in cls._databases_names(include_mirrors=False):
                if alias in _RELOADED:  # the rows Django would reload are there already
                    stack.enter_context(mock.patch.object(connections[alias].creation,
                                                          "deserialize_db_from_string", lambda data: None))
            original_setup.__func__(cls)

    def teardown(self: Any) -> None:
        from unittest import mock

        from django.db import connections

        with contextlib.ExitStack() as stack:
            for alias in self._databases_names(include_mirrors=False):
                _RELOADED.discard(alias)
                ops = connections[alias].ops
                if connections[alias].vendor == "postgresql":
                    stack.enter_context(mock.patch.object(ops, "sql_flush", partial(_delete_rows, alias,
                                                                                    ops.sql_flush)))
            original_teardown(self)

    case_class._fixture_setup = classmethod(setup)
    case_class._fixture_teardown = teardown
    yield
    case_class._fixture_setup = original_setup
    case_class._fixture_teardown = original_teardown


_IMMEDIATE_FOREIGN_KEYS: dict[str, bool] = {}


def _delete_rows(alias: str, truncate: Callable[..., list[str]], style: Any, tables: Iterable[str], *,
                 reset_sequences: bool = False, allow_cascade: bool = False) -> list[str]:
    """The statements of a flush that empties `tables` with DELETE (see above), or Django's TRUNCATE."""
    from django.db import connections

    connection = connections[alias]
    tables = list(tables)
    if alias not in _IMMEDIATE_FOREIGN_KEYS:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' AND NOT condeferrable)")
            _IMMEDIATE_FOREIGN_KEYS[alias] = bool(cursor.fetchone()[0])
    if reset_sequences or allow_cascade or not tables or _IMMEDIATE_FOREIGN_KEYS[alias]:
        return truncate(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # which tables have rows: one statement, not one per table
        cursor.execute(" UNION ALL ".join(f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(table)})"
                                          for i, table in enumerate(tables)))
        filled = [tables[i] for (i,) in cursor.fetchall()]
    return ["SET CONSTRAINTS ALL DEFERRED", *(f"DELETE FROM {quote(table)}" for table in filled)]


@pytest.fixture(scope="session", autouse=True)
def _media_root_of_its_own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files the tests write (exports, reports) go to a folder of this pytest process: never the checkout's
    media/, which a dev server and the other pytest-xdist workers share (two workers' export job 1 would
    otherwise write the same file name)."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: remembered results (core.memo), rate limits and flags of one
    test must not leak into the next, whose rolled-back database may reuse the same ids."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_request_in_flight() -> None:
    """Each test starts with the background drain's record of requests at rest (kpis.background._traffic).

    schemathesis' in-process WSGI calls (api/tests/test_schemathesis.py, ~200 of them) send request_started but
    never request_finished, and so do the Postgres-restart tests' failing requests. Each left one request "in
    flight", so every later background drain of that pytest process saw no quiet moment and waited its full
    KPIS_BACKGROUND_DRAIN_MAX_WAIT_SECONDS (10 s) before running: each test that waits for its drain took 10 s
    more, depending on what ran before it on that worker. They also left the test thread marked as serving a
    request, so a service call's drain went to the background instead of running inline (a test expecting
    inline figures then read none). A request that ended under time_machine's travel stamps its end on the
    travelled clock (years ahead): no quiet moment either. Between tests no request is being served.
    """
    from kpis import background

    background._serving.active = False
    with background._lock:
        background._traffic.update(in_flight=0, last_end=0.0)
