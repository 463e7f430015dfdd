"""API fixtures: the access-matrix cases (A, B, C) and a token-authenticated client per persona."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from api import services as token_services
from api.models import Scope
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import csv_io, services
from pathway.models import Case

# A: born at Watford, cooled at Addenbrooke's; B: Ipswich → Norfolk & Norwich; C: inborn at Addenbrooke's.
PLACES = {"A": ("RWG02", "RGT01"), "B": ("RDE03", "RM102"), "C": ("RGT01", "RGT01")}


@pytest.fixture
def cases(people: Personas) -> dict[str, Case]:
    return {
        name: services.case_create(values=cooled_case_values(case_ref=f"CASE-{name}", birth_unit=born, centre=centre),
                                   by=people.nurse)
        for name, (born, centre) in PLACES.items()
    }


def widest_scopes(user: Any) -> list[str]:
    """All the user's role allows: write, and identifiable reads for the roles that may export them."""
    read = Scope.READ_IDENTIFIABLE if csv_io.may_export_identifiable(user) else Scope.READ_PSEUDONYMISED
    return [read, Scope.WRITE]


def token_client(user: Any, scopes: list[str] | None = None) -> APIClient:
    """A client with a fresh token of `user`: the scopes given, or the widest its role allows."""
    chosen = widest_scopes(user) if scopes is None else scopes
    _, key = token_services.token_create(user=user, name="tests", scopes=chosen,
                                         reason="Tests" if Scope.READ_IDENTIFIABLE in chosen else "")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api(people: Personas) -> Callable[[str], APIClient]:
    """api("nurse") → a client holding a fresh token of that persona, with the widest scopes it may hold."""
    return lambda persona: token_client(getattr(people, persona))
