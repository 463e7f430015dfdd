"""Figures for reporting tests: a handful of cooled babies in 2024 and their computed KPIs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services as kpi_services
from pathway import services as pathway_services

AS_OF = date(2024, 12, 31)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cooled(people: Personas, *, day: int, minutes: int, birth_unit: str = "RWG02", centre: str = "RGT01",
           month: int = 5, **overrides: Any) -> None:
    """A cooled baby whose cooling starts `minutes` after birth (≤ 360 meets cooling_started_6h)."""
    birth = datetime(2024, month, day, 3, 0, tzinfo=LONDON)
    start = birth + timedelta(minutes=minutes)
    values = cooled_case_values(birth=birth, birth_unit=birth_unit, centre=centre, passive_cooling_start=start,
                                active_cooling_start=start + timedelta(minutes=10),
                                target_temp_reached=start + timedelta(minutes=40),
                                core_monitoring_start=birth + timedelta(minutes=20), **overrides)
    pathway_services.case_create(values=values, by=people.nurse)


@pytest.fixture
def figures(people: Personas) -> Personas:
    """2024: Watford (RWG02) 2 of 3 cooled within 6 h; Ipswich (RDE03) 1 of 1; network 3 of 4.
    All cooled at Addenbrooke's (RGT01) except the Ipswich baby (Norfolk & Norwich, RM102)."""
    for day, minutes in enumerate((30, 200, 400), start=1):
        cooled(people, day=day, minutes=minutes)
    cooled(people, day=9, minutes=60, birth_unit="RDE03", centre="RM102")
    kpi_services.compute(as_of=AS_OF)
    return people


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
