"""Shared fixtures: the reference network and the personas, on the real test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
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
            connections[alias].creation.deserialize_db_from_string(contents)


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
