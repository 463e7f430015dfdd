"""`compute_kpis` and `export_kpis` (kpis.md "Conventions": the aggregate's fields)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from kpis.models import KpiAggregate, KpiRun
from pathway.models import Case
from units.models import Network

RATE_KEYS = {"kpi", "level", "org", "period", "numerator", "denominator", "not_eligible", "missing", "rate"}
MEDIAN_KEYS = RATE_KEYS | {"n", "median", "q1", "q3"}
CSV_HEADER = ["kpi", "level", "org", "period", "numerator", "denominator", "not_eligible", "missing", "rate",
              "n", "median", "q1", "q3"]


@pytest.fixture
def computed(network: Network) -> KpiRun:
    Case.objects.create(**cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    Case.objects.create(**cooled_case_values(birth=datetime(2024, 8, 1, 9, 0, tzinfo=LONDON), birth_unit="RDE03",
                                             centre="RM102"))
    call_command("compute_kpis", "--as-of", "2025-01-15", stdout=io.StringIO())
    run = KpiRun.objects.get()
    return run


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_compute_kpis_prints_the_run_rows_and_time(network: Network) -> None:
    Case.objects.create(**cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    output = run_command("compute_kpis", "--as-of", "2025-01-15")

    run = KpiRun.objects.get()
    assert run.as_of.isoformat() == "2025-01-15" and run.trigger == "manual" and run.scope == "full"
    match = re.fullmatch(rf"KPI run {run.pk} succeeded: (\d+) rows for every period as of 2025-01-15, "
                         r"1 case, \d+\.\d\d seconds\n", output)
    assert match is not None, output
    assert int(match[1]) == KpiAggregate.objects.count() > 0


def test_compute_kpis_for_listed_periods(computed: KpiRun) -> None:
    output = run_command("compute_kpis", "--period", "2024-05", "--period", "2024", "--as-of", "2025-01-15")

    run = KpiRun.objects.order_by("-id").first()
    assert run is not None and sorted(run.period_keys) == ["2024", "2024-05"]
    assert "rows for 2024, 2024-05 as of 2025-01-15, 2 cases" in output


def test_compute_kpis_refuses_a_bad_period_or_date(network: Network) -> None:
    with pytest.raises(CommandError, match="Not a period key"):
        call_command("compute_kpis", "--period", "2024-13")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_kpis", "--as-of", "15/01/2025")
    with pytest.raises(CommandError, match="a range of dates is not stored"):
        call_command("compute_kpis", "--period", "2024-01-15..2024-03-31")
    assert not KpiRun.objects.exists()


def test_export_json_has_exactly_the_documented_keys(computed: KpiRun) -> None:
    rows = json.loads(run_command("export_kpis", "--format", "json"))

    assert len(rows) == KpiAggregate.objects.count()
    rates = [r for r in rows if r["kpi"] == "cooling_started_6h"]
    medians = [r for r in rows if r["kpi"] == "age_at_cooling_start_min"]
    assert rates and medians
    assert all(set(r) == RATE_KEYS for r in rates)
    assert all(set(r) == MEDIAN_KEYS for r in medians)
    network = next(r for r in rates if r["level"] == "network" and r["period"] == "2024")
    assert network == {"kpi": "cooling_started_6h", "level": "network", "org": "EOE", "period": "2024",
                       "numerator": 2, "denominator": 2, "not_eligible": 0, "missing": 0, "rate": 1.0}


def test_export_filters_by_period_and_level(computed: KpiRun) -> None:
    rows = json.loads(run_command("export_kpis", "--period", "2024-Q3", "--level", "birth_unit"))

    assert rows and {(r["period"], r["level"], r["org"]) for r in rows} == {("2024-Q3", "birth_unit", "RDE03")}


def test_export_csv_header_and_empty_cells(computed: KpiRun, tmp_path: Path) -> None:
    target = tmp_path / "kpis.csv"
    call_command("export_kpis", "--format", "csv", "--level", "network", "--period", "2024", "--output",
                 str(target), stdout=io.StringIO(), stderr=io.StringIO())

    with target.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == CSV_HEADER
    rate = next(r for r in rows if r["kpi"] == "cooling_started_6h")
    assert (rate["org"], rate["numerator"], rate["rate"], rate["median"]) == ("EOE", "2", "1.0", "")
    median = next(r for r in rows if r["kpi"] == "age_at_cooling_start_min")
    assert (median["n"], median["median"], median["rate"]) == ("2", "30.0", "")
