"""The coverage KPI rows (kpi `training_coverage_12m`, level birth_unit, one per unit and period)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing.personas import Personas
from kpis import dashboard as hie_dashboard
from kpis import services as hie
from kpis.models import KpiAggregate, KpiRun
from training import services
from training.services import KPI_CODE, compute_training_kpis
from training.tests.builders import establish, record

pytestmark = pytest.mark.django_db
AS_OF = date(2024, 7, 15)


def _figures(code: str = "RWG02") -> dict[str, tuple[int, int, float | None]]:
    rows = KpiAggregate.objects.filter(kpi=KPI_CODE, org_code=code)
    return {r.period_key: (r.numerator, r.denominator, r.rate) for r in rows}


@pytest.fixture
def watford(people: Personas) -> None:
    establish("RWG02", date(2024, 1, 1), people.nurse, nurse=40, doctor=10)
    record("RWG02", date(2023, 7, 15), people.nurse, nurse=20)  # outside the window ending on AS_OF
    record("RWG02", date(2024, 2, 10), people.nurse, nurse=30, doctor=4)
    record("RWG02", date(2024, 6, 3), people.nurse, nurse=15, doctor=1)  # nurses now 45: capped at 40


def test_rows_per_period_at_the_period_end_or_the_run_date(watford: None) -> None:
    run = compute_training_kpis(AS_OF)
    figures = _figures()
    # Year, quarter, month and rolling windows from the first month with data (July 2023) to the run date.
    assert {"2023", "2024", "2023-Q3", "2024-Q3", "2023-07", "2024-07", "R12-2023-07", "R12-2024-07"} <= set(figures)
    assert "2024-08" not in figures and "R12-2024-08" not in figures
    assert figures["R12-2024-07"] == (45, 50, 0.9)  # (min(45, 40) + 5) / 50, on the run date
    assert figures["2024"] == figures["2024-Q3"] == figures["2024-07"] == (45, 50, 0.9)  # ends after the run date
    # On 31 May: 20 (Jul 2023) + 30 nurses = 50, capped at 40, and 4 doctors.
    assert figures["2024-05"] == (44, 50, pytest.approx(0.88))
    assert figures["2023-12"] == (0, 0, None)  # no establishment until 2024: no rate, not 0 %
    row = KpiAggregate.objects.get(kpi=KPI_CODE, org_code="RWG02", period_key="R12-2024-07")
    assert row.org is not None
    assert (row.level, row.org.ods_code, row.period_type, row.period_start, row.period_end) == (
        "birth_unit", "RWG02", "rolling_12m", date(2023, 7, 16), AS_OF)
    assert (run.status, run.rows_written, run.definition_versions) == (
        KpiRun.Status.SUCCEEDED, KpiAggregate.objects.filter(kpi=KPI_CODE).count(), {KPI_CODE: 1})
    # A full run of the training producer: never taken as the HIE dashboards' last full run.
    assert (run.producer, run.scope, run.period_keys) == ("training", KpiRun.Scope.FULL, [])
    assert hie_dashboard.freshness().last_full is None


def test_the_boundary_day_on_the_rolling_window(people: Personas) -> None:
    establish("RDE03", date(2023, 1, 1), people.nurse, nurse=100)
    record("RDE03", date(2023, 7, 15), people.nurse, nurse=20)
    record("RDE03", date(2024, 6, 1), people.nurse, nurse=10)
    compute_training_kpis(date(2024, 7, 14))  # window 15/07/2023 .. 14/07/2024: both sessions
    assert _figures("RDE03")["R12-2024-07"] == (30, 100, 0.3)
    compute_training_kpis(date(2024, 7, 15))  # window 16/07/2023 .. 15/07/2024: the first has dropped out
    assert _figures("RDE03")["R12-2024-07"] == (10, 100, 0.1)


def test_rerun_replaces_rows_idempotently(watford: None) -> None:
    compute_training_kpis(AS_OF)
    first = _figures()
    count = KpiAggregate.objects.filter(kpi=KPI_CODE).count()
    compute_training_kpis(AS_OF)
    assert _figures() == first
    assert KpiAggregate.objects.filter(kpi=KPI_CODE).count() == count
    assert KpiAggregate.objects.filter(kpi=KPI_CODE).values("run").distinct().count() == 1


def test_only_its_own_code_is_replaced_and_hie_runs_keep_it(people: Personas, watford: None) -> None:
    other = KpiRun.objects.create(as_of=AS_OF, status=KpiRun.Status.SUCCEEDED)
    KpiAggregate.objects.create(kpi="pop_all_eligible", level="network", org_code="network", period_type="year",
                                period_key="2024", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
                                numerator=3, denominator=4, rate=0.75, run=other, definition_version=1)
    compute_training_kpis(AS_OF)
    hie.compute(as_of=AS_OF)
    assert KpiAggregate.objects.filter(kpi="pop_all_eligible").count() == 1
    assert _figures()["R12-2024-07"] == (45, 50, 0.9)


def test_a_deleted_session_leaves_no_stale_row(people: Personas, watford: None) -> None:
    compute_training_kpis(AS_OF)
    for session in list(services.TrainingSession.objects.filter(unit__ods_code="RWG02")):
        services.session_delete(session=session, by=people.nurse)
    compute_training_kpis(AS_OF)
    # The establishment is still there: every period now shows 0 trained of 50 from January 2024.
    assert _figures()["R12-2024-07"] == (0, 50, 0.0)
    assert "2023-07" not in _figures()


def test_a_failure_replaces_nothing_and_is_recorded(watford: None, monkeypatch: pytest.MonkeyPatch) -> None:
    compute_training_kpis(AS_OF)
    before = _figures()

    def broken(*args: object) -> list:
        raise RuntimeError("establishment table unreadable")

    monkeypatch.setattr(services, "_rows", broken)
    with pytest.raises(RuntimeError):
        compute_training_kpis(AS_OF)
    assert _figures() == before
    failed = KpiRun.objects.filter(status=KpiRun.Status.FAILED).get()
    assert "establishment table unreadable" in failed.error


def test_the_figures_go_in_by_the_shared_fast_path(watford: None) -> None:
    """kpis.figures: one DELETE and, on PostgreSQL, one COPY (no INSERT) per run."""
    with CaptureQueriesContext(connection) as queries:
        run = compute_training_kpis(AS_OF)

    writes = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries
              if "kpis_kpiaggregate" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == ["DELETE", "COPY" if connection.vendor == "postgresql" else "INSERT"]
    assert run.rows_written == KpiAggregate.objects.filter(kpi=KPI_CODE, run=run).count() > 0
