"""`kpis.figures.replace`, the one write path of every KPI producer (HIE engine, POP, training coverage):
it replaces exactly the codes (and periods) it is given, by COPY on PostgreSQL and bulk_create elsewhere,
and refuses a figure it would write beside a row it did not delete.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import figures
from kpis.aggregate import Figure
from kpis.definitions.base import Level
from kpis.medians import MedianSummary
from kpis.models import KpiAggregate, KpiRun
from kpis.periods import parse_period_key
from kpis.tests.test_compute import snapshot
from units.models import Network

ON_POSTGRESQL = connection.vendor == "postgresql"
MINE, THEIRS = "pop_all_eligible", "training_coverage_12m"


@pytest.fixture
def run(network: Network) -> KpiRun:
    return KpiRun.objects.create(as_of=date(2025, 1, 15))


def figure(kpi: str, period_key: str, numerator: int, *, org_code: str = "RWG02",
        summary: MedianSummary | None = None) -> Figure:
    return Figure(kpi, Level.BIRTH_UNIT if org_code != "network" else Level.NETWORK, org_code,
                  parse_period_key(period_key), version=2, numerator=numerator, denominator=4, not_eligible=1,
                  summary=summary)


def stored(kpi: str) -> dict[tuple[str, str], int]:
    return {(r.org_code, r.period_key): r.numerator for r in KpiAggregate.objects.filter(kpi=kpi)}


def test_writes_every_column_with_the_unit_and_run_filled_in(run: KpiRun) -> None:
    median = figure(MINE, "2024", 1, org_code="network", summary=MedianSummary(5, 7.5, 2.25, 30.0))
    written = figures.replace([figure(MINE, "2024", 3), median], run=run, codes=[MINE])

    assert written == 2 == KpiAggregate.objects.count()
    unit = KpiAggregate.objects.get(org_code="RWG02")
    assert unit.org is not None and unit.org.ods_code == "RWG02" and unit.run_id == run.pk
    assert (unit.numerator, unit.denominator, unit.not_eligible, unit.missing, unit.rate) == (3, 4, 1, 0, 0.75)
    assert (unit.level, unit.period_type, unit.period_start, unit.period_end) == (
        "birth_unit", "year", date(2024, 1, 1), date(2024, 12, 31))
    assert (unit.definition_version, unit.n, unit.median) == (2, None, None)
    whole = KpiAggregate.objects.get(org_code="network")
    assert whole.org_id is None and (whole.n, whole.median, whole.q1, whole.q3) == (5, 7.5, 2.25, 30.0)


def test_replaces_only_the_codes_and_periods_given(run: KpiRun) -> None:
    figures.replace([figure(MINE, "2023", 1), figure(MINE, "2024", 1)], run=run, codes=[MINE])
    figures.replace([figure(THEIRS, "2024", 2)], run=run, codes=[THEIRS])

    assert figures.replace([figure(MINE, "2024", 3)], run=run, codes=[MINE], period_keys=["2024"]) == 1
    assert stored(MINE) == {("RWG02", "2023"): 1, ("RWG02", "2024"): 3}
    assert stored(THEIRS) == {("RWG02", "2024"): 2}

    figures.replace([figure(MINE, "2024", 4)], run=run, codes=[MINE])  # every period: 2023 goes
    assert stored(MINE) == {("RWG02", "2024"): 4} and stored(THEIRS) == {("RWG02", "2024"): 2}


def test_replacing_with_the_same_rows_is_idempotent(run: KpiRun) -> None:
    rows = [figure(MINE, "2023", 1), figure(MINE, "2024", 2), figure(MINE, "2024", 0, org_code="network")]
    figures.replace(rows, run=run, codes=[MINE])
    first = snapshot()
    figures.replace(rows, run=run, codes=[MINE])
    figures.replace(rows[1:], run=run, codes=[MINE], period_keys=["2024"])

    assert snapshot() == first


@pytest.mark.parametrize(("bad", "period_keys"),
                         [(figure(THEIRS, "2024", 1), None), (figure(MINE, "2023", 1), ["2024"])],
                         ids=["another code", "another period"])
def test_a_figure_outside_what_is_replaced_is_refused_and_nothing_changes(
        run: KpiRun, bad: Figure, period_keys: list[str] | None) -> None:
    figures.replace([figure(MINE, "2023", 1), figure(MINE, "2024", 1)], run=run, codes=[MINE])
    figures.replace([figure(THEIRS, "2024", 2)], run=run, codes=[THEIRS])
    before = snapshot()

    with pytest.raises(ValueError, match="outside what this run replaces"):
        figures.replace([figure(MINE, "2024", 3), bad], run=run, codes=[MINE], period_keys=period_keys)

    assert snapshot() == before


def test_copy_and_bulk_create_store_the_same_rows(run: KpiRun, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [figure(MINE, f"{year}", year % 5) for year in range(2000, 2023)]
    assert figures.replace(rows, run=run, codes=[MINE]) == len(rows)  # COPY on PostgreSQL
    first = snapshot()
    monkeypatch.setattr(figures, "_can_copy", lambda: False)
    monkeypatch.setattr(figures, "BULK_BATCH", 5)  # many batches, the last one short

    assert figures.replace(rows, run=run, codes=[MINE]) == len(rows)
    assert snapshot() == first


def test_one_delete_and_one_copy(run: KpiRun) -> None:
    with CaptureQueriesContext(connection) as queries:
        figures.replace([figure(MINE, "2023", 1), figure(MINE, "2024", 1)], run=run, codes=[MINE])

    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries
                  if "kpis_kpiaggregate" in q["sql"]]
    assert statements == ["DELETE", "COPY" if ON_POSTGRESQL else "INSERT"]
