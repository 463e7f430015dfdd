"""`compute_pop_kpis`: stored figures per unit, network and period, the optimisation score, idempotent re-runs
that replace only POP codes, failures recorded and raised, the command, the nightly task and export_kpis."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import tasks
from kpis.models import KpiAggregate, KpiRun
from pop import aggregate, services
from pop.kpis import registry
from pop.models import PopRecord
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 1, 15)
MAY = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)


def figures() -> dict[tuple[str, str, str, str], tuple[int, int, int, int]]:
    return {(r.kpi, r.level, r.org_code, r.period_key): (r.numerator, r.denominator, r.not_eligible, r.missing)
            for r in KpiAggregate.objects.all()}


def add(people: Personas, **overrides: Any) -> PopRecord:
    return services.pop_create(values=pop_values(**overrides), by=people.nurse)


@pytest.fixture
def cohort(people: Personas) -> list[PopRecord]:
    """Three Watford babies and one Addenbrooke's baby in May 2024, one entered in error."""
    records = [
        add(people, birth=MAY),  # all met; place of birth not eligible (28+3, 1150 g)
        add(people, birth=MAY + timedelta(days=1), cord_clamping_seconds=30, labour="no"),  # cord not met
        add(people, birth=MAY + timedelta(days=2), cord_clamping_seconds=None),  # cord missing
        add(people, birth=MAY + timedelta(days=3), birth_unit="RGT01", gestation_weeks=25, birth_weight_g=700),
    ]
    wrong = add(people, birth=MAY + timedelta(days=4))
    services.pop_mark_entered_in_error(record=wrong, reason="duplicate", expected_version=1, by=people.nurse)
    return records


def test_figures_per_unit_and_network(cohort: list[PopRecord]) -> None:
    run = services.compute_pop_kpis(as_of=AS_OF)
    found = figures()
    assert run.status == "succeeded" and run.progress_total == 4
    # A full run of the POP producer (the HIE dashboards read only HIE runs).
    assert (run.producer, run.scope, run.period_keys) == ("pop", "full", [])
    assert run.definition_versions == registry.VERSIONS
    # (met, met + not met, not eligible, missing)
    assert found[("pop_optimal_cord_management", "birth_unit", "RWG02", "2024-05")] == (1, 2, 0, 1)
    assert found[("pop_optimal_cord_management", "network", "EOE", "2024")] == (2, 3, 0, 1)
    assert found[("pop_intrapartum_antibiotics", "birth_unit", "RWG02", "2024-Q2")] == (2, 2, 1, 0)
    assert found[("pop_place_of_birth", "birth_unit", "RGT01", "2024")] == (1, 1, 0, 0)
    assert found[("pop_place_of_birth", "network", "EOE", "R12-2024-12")] == (1, 1, 3, 0)
    assert found[("pop_all_eligible", "birth_unit", "RWG02", "2024-05")] == (1, 2, 0, 1)
    # Score, in baby-element pairs: baby 1 six met, 1 NE (place); baby 2 four met, 1 not met (cord), 2 NE (place,
    # antibiotics); baby 3 five met, 1 missing (cord), 1 NE (place); baby 4 (25 weeks, 700 g, NICU) seven met.
    assert found[("pop_optimisation_score", "birth_unit", "RWG02", "2024-05")] == (15, 16, 4, 1)
    assert found[("pop_optimisation_score", "network", "EOE", "2024-05")] == (22, 23, 4, 1)
    rate = KpiAggregate.objects.get(kpi="pop_optimisation_score", level="network", period_key="2024").rate
    assert rate == pytest.approx(22 / 23)
    watford = KpiAggregate.objects.get(kpi="pop_all_eligible", level="birth_unit", org_code="RWG02",
                                       period_key="2024").org
    assert watford is not None and watford.ods_code == "RWG02"


def test_every_code_level_and_period_type_is_stored(cohort: list[PopRecord]) -> None:
    services.compute_pop_kpis(as_of=AS_OF)
    rows = KpiAggregate.objects.all()
    assert {r.kpi for r in rows} == set(registry.CODES)
    # issue 18: the birth unit's trust and region too (the reference units have no LMNS or ICB placements)
    assert {r.level for r in rows} == {"birth_unit", "trust", "network", "region"}
    assert {r.period_type for r in rows} == {"year", "financial_year", "quarter", "month", "rolling_12m"}
    assert {r.period_key for r in rows if r.period_type == "rolling_12m"} == {
        f"R12-{month}" for month in [*(f"2024-{m:02d}" for m in range(5, 13)), "2025-01"]}


def test_a_rerun_gives_identical_rows_and_leaves_other_codes_alone(cohort: list[PopRecord]) -> None:
    other = KpiRun.objects.create(as_of=AS_OF, status=KpiRun.Status.SUCCEEDED)
    KpiAggregate.objects.create(kpi="cooling_started_6h", level="network", org_code="EOE", period_type="year",
                                period_key="2024", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
                                numerator=5, denominator=6, rate=5 / 6, run=other, definition_version=1)
    services.compute_pop_kpis(as_of=AS_OF)
    first = figures()
    services.compute_pop_kpis(as_of=AS_OF)
    services.compute_pop_kpis(as_of=AS_OF, periods=["2024-05", "2024"])
    assert figures() == first
    assert first[("cooling_started_6h", "network", "EOE", "2024")] == (5, 6, 0, 0)


def test_a_period_run_replaces_only_those_periods(people: Personas, cohort: list[PopRecord]) -> None:
    services.compute_pop_kpis(as_of=AS_OF)
    PopRecord.objects.filter(pk=cohort[1].pk).update(cord_clamping_seconds=120)  # behind the services' back
    run = services.compute_pop_kpis(as_of=AS_OF, periods=["2024-05"])
    assert (run.producer, run.scope, run.period_keys) == ("pop", "periods", ["2024-05"])
    found = figures()
    assert found[("pop_optimal_cord_management", "birth_unit", "RWG02", "2024-05")] == (2, 2, 0, 1)
    assert found[("pop_optimal_cord_management", "birth_unit", "RWG02", "2024")] == (1, 2, 0, 1)  # not recomputed


def test_a_failure_is_recorded_on_the_run_and_raised(cohort: list[PopRecord], monkeypatch: pytest.MonkeyPatch) -> None:
    services.compute_pop_kpis(as_of=AS_OF)
    before = figures()

    def broken(*args: object) -> None:
        raise RuntimeError("definition exploded")

    monkeypatch.setattr(aggregate, "evaluate_record", broken)
    with pytest.raises(RuntimeError, match="definition exploded"):
        services.compute_pop_kpis(as_of=AS_OF, trigger=KpiRun.Trigger.NIGHTLY)
    run = KpiRun.objects.order_by("-id").first()
    assert run is not None and run.status == "failed" and "definition exploded" in run.error
    assert run.finished_at is not None and run.trigger == "nightly"
    assert figures() == before  # the failed run changed nothing


def test_a_bad_period_key_records_no_run(network: object) -> None:
    with pytest.raises(ValueError, match="Not a period key"):
        services.compute_pop_kpis(as_of=AS_OF, periods=["2024-13"])
    assert not KpiRun.objects.exists()


def test_no_records_no_rows(network: object) -> None:
    run = services.compute_pop_kpis(as_of=AS_OF)
    assert run.status == "succeeded" and run.rows_written == 0 and not KpiAggregate.objects.exists()


def test_the_command_prints_the_run(cohort: list[PopRecord]) -> None:
    out = io.StringIO()
    call_command("compute_pop_kpis", "--as-of", "2025-01-15", stdout=out)
    run = KpiRun.objects.get()
    assert out.getvalue().startswith(f"POP KPI run {run.pk} succeeded: {run.rows_written} rows for every period "
                                     "as of 2025-01-15, 4 records")
    out = io.StringIO()
    call_command("compute_pop_kpis", "--period", "2024", "--as-of", "2025-01-15", stdout=out)
    assert "rows for 2024 as of 2025-01-15" in out.getvalue()


def test_nightly_task_and_beat_entry(cohort: list[PopRecord]) -> None:
    entry: dict[str, Any] = settings.CELERY_BEAT_SCHEDULE["pop-kpis-nightly"]
    assert (entry["task"], entry["kwargs"]) == ("kpis.tasks.recompute_all", {"producer": "pop"})
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}
    run = KpiRun.objects.get(pk=tasks.recompute_all.delay(**entry["kwargs"]).get())
    assert (run.producer, run.trigger, run.scope) == ("pop", "nightly", "full")
    assert KpiAggregate.objects.filter(run=run, kpi="pop_optimisation_score").exists()
    assert not KpiAggregate.objects.exclude(kpi__in=registry.CODES).exists()


def test_export_kpis_includes_the_pop_rows(cohort: list[PopRecord]) -> None:
    services.compute_pop_kpis(as_of=AS_OF)
    out = io.StringIO()
    call_command("export_kpis", "--format", "json", "--period", "2024", stdout=out)
    rows = json.loads(out.getvalue())
    score = next(r for r in rows if r["kpi"] == "pop_optimisation_score" and r["org"] == "EOE")
    assert (score["numerator"], score["denominator"], score["missing"]) == (22, 23, 1)
    assert {r["kpi"] for r in rows} >= set(registry.CODES)


def test_normothermia_uses_the_stored_decimal(people: Personas) -> None:
    add(people, birth=MAY, first_temp_c=Decimal("37.5"), first_temp_datetime=MAY + timedelta(minutes=60))
    services.compute_pop_kpis(as_of=AS_OF)
    row = KpiAggregate.objects.get(kpi="pop_normothermia", level="network", period_key="2024-05")
    assert (row.numerator, row.denominator) == (1, 1)


def test_a_pop_run_is_never_the_hie_dashboards_last_full_run(cohort: list[PopRecord]) -> None:
    from kpis import dashboard as hie_dashboard
    from pop import dashboard as pop_dashboard

    run = services.compute_pop_kpis(as_of=AS_OF)
    assert hie_dashboard.freshness().last_full is None
    assert pop_dashboard.freshness().last_full == run


def test_the_figures_go_in_by_the_shared_fast_path(cohort: list[PopRecord]) -> None:
    """kpis.figures: one DELETE and, on PostgreSQL, one COPY (no INSERT) per run; rows_written is what is stored."""
    services.compute_pop_kpis(as_of=AS_OF)
    with CaptureQueriesContext(connection) as queries:
        run = services.compute_pop_kpis(as_of=AS_OF, periods=["2024"])

    writes = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries
              if "kpis_kpiaggregate" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == ["DELETE", "COPY" if connection.vendor == "postgresql" else "INSERT"]
    assert run.rows_written == KpiAggregate.objects.filter(period_key="2024").count() > len(registry.CODES)
    assert set(KpiAggregate.objects.filter(period_key="2024").values_list("run", flat=True)) == {run.pk}


def test_the_command_refuses_a_bad_period_or_date_as_compute_kpis_does(cohort: list[PopRecord]) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Not a period key"):
        call_command("compute_pop_kpis", "--period", "2024-13")
    with pytest.raises(CommandError, match="--as-of must be a date as YYYY-MM-DD, not '15/01/2025'"):
        call_command("compute_pop_kpis", "--as-of", "15/01/2025")
    assert not KpiRun.objects.exists()
