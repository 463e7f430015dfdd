"""Shared fixtures: the reference network and the personas, on the real test database."""

from __future__ import annotations

import os

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
