"""The national data opt-out's paths that `test_national_opt_out.py` does not walk (issue 12: "removes the case
from every export, API read and report outside direct care, with a test for each path"): the `export_cases`
command (identifiable and pseudonymised) and the
drill-down from a KPI figure to its cases, even before the next KPI run has replaced the case's outcomes."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas
from kpis import services as kpi_services
from pathway import services
from pathway.models import Case
from pathway.tests.test_national_opt_out import _cooled

pytestmark = pytest.mark.django_db
AS_OF = date(2024, 12, 31)


@pytest.fixture
def two(people: Personas) -> tuple[Case, Case]:
    return _cooled(people, "KEPT", 1), _cooled(people, "OPTED-OUT", 2, national_opt_out="yes")


def _refs(path: Path) -> list[str]:
    return [r["case_ref"] for r in csv.DictReader(io.StringIO(path.read_text().removeprefix("\ufeff")))]


@pytest.mark.parametrize("options", [[], ["--pseudonymised"]])
def test_the_export_cases_command_leaves_the_case_out(two: tuple[Case, Case], tmp_path: Path,
                                                      options: list[str]) -> None:
    target = tmp_path / "cases.csv"
    call_command("export_cases", str(target), *options, stdout=io.StringIO())
    refs = _refs(target)
    assert len(refs) == 1 and "OPTED-OUT" not in refs


def _drill_down(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("kpis:cases", args=["cooling_started_6h"]), {"period": "2024"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_drill_down_from_a_figure_leaves_the_case_out(people: Personas, two: tuple[Case, Case]) -> None:
    kpi_services.compute(as_of=AS_OF)
    page = _drill_down(people.lead)
    assert "KEPT" in page and "OPTED-OUT" not in page
    # The family of KEPT opts out: the figure's cases leave the drill-down at once, before the next run.
    services.case_update(case=Case.objects.get(case_ref="KEPT"), values={"national_opt_out": "yes"},
                         expected_version=None, by=people.nurse)
    assert "KEPT" not in _drill_down(people.lead)
