"""The write step of a KPI run (kpis.services, "Writing", through kpis.figures): rows go in by COPY on
PostgreSQL and by bulk_create elsewhere. Both paths must store the same rows, the old rows go in one DELETE
per table, and a failure part way through the writes leaves the previous figures and outcomes untouched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from core.timeutil import LONDON
from kpis import aggregate, figures, registry, services
from kpis.definitions.base import Level
from kpis.models import CaseOutcome, KpiAggregate, KpiRun
from kpis.outcome import Outcome
from kpis.periods import STORED_TYPES
from kpis.tests.test_compute import AS_OF, CODE, MEDIAN, make_case, snapshot
from pathway.models import Case
from units.models import Network, Unit

ON_POSTGRESQL = connection.vendor == "postgresql"


def outcome_rows() -> list[tuple[Any, ...]]:
    """Every CaseOutcome row without its id and write time."""
    return sorted(CaseOutcome.objects.values_list("case_id", "kpi", "outcome", "value", "definition_version",
                                                  "as_of"))


@pytest.fixture
def cases(network: Network) -> dict[str, Case]:
    """Three current cases, one with cooling at a fractional minute (a float that must survive exactly),
    and one entered in error."""
    return {
        "met": make_case(datetime(2024, 3, 5, 10, 0, tzinfo=LONDON), cooling_min=30),
        "late": make_case(datetime(2024, 3, 9, 10, 0, tzinfo=LONDON), cooling_min=400.5),
        "also_met": make_case(datetime(2024, 7, 1, 10, 0, tzinfo=LONDON), cooling_min=90, birth_unit="RDE03",
                              centre="RM102", transport_service=Unit.objects.get(ods_code="RGT-PANDR")),
        "error": make_case(datetime(2024, 3, 6, 10, 0, tzinfo=LONDON), entered_in_error=True,
                           entered_in_error_reason="duplicate"),
    }


def test_stored_codes_are_the_plain_values_not_enum_names(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)

    assert set(KpiAggregate.objects.values_list("level", flat=True)) == {level.value for level in Level}
    assert set(KpiAggregate.objects.values_list("period_type", flat=True)) == set(STORED_TYPES)
    stored = set(CaseOutcome.objects.values_list("outcome", flat=True))
    assert {Outcome.MET.value, Outcome.NOT_MET.value, CaseOutcome.MEASURED} <= stored
    assert stored <= {*(o.value for o in Outcome), CaseOutcome.MEASURED}


def test_values_are_stored_exactly(cases: dict[str, Case]) -> None:
    run = services.compute(as_of=AS_OF)

    late = CaseOutcome.objects.get(case=cases["late"], kpi=MEDIAN)
    assert (late.outcome, late.value, late.definition_version, late.as_of) == ("measured", 400.5, 1, AS_OF)
    assert CaseOutcome.objects.get(case=cases["late"], kpi=CODE).value is None
    network = KpiAggregate.objects.get(kpi=CODE, level="network", period_key="2024")
    assert (network.numerator, network.denominator, network.rate) == (2, 3, 2 / 3)  # the same float, not approx
    assert network.org_id is None and network.run_id == run.pk and network.n is None
    median = KpiAggregate.objects.get(kpi=MEDIAN, level="birth_unit", org_code="RWG02", period_key="2024-03")
    assert (median.n, median.median, median.q1, median.q3) == (2, 215.25, 122.625, 307.875)
    assert median.org is not None and median.org.ods_code == "RWG02"


def test_every_outcome_carries_the_run_s_write_time(cases: dict[str, Case]) -> None:
    run = services.compute(as_of=AS_OF)

    times = set(CaseOutcome.objects.values_list("updated_at", flat=True))
    assert run.finished_at is not None
    assert all(run.started_at <= moment <= run.finished_at for moment in times)
    assert CaseOutcome.objects.count() == 3 * len(registry.REGISTRY)


def test_copy_and_bulk_create_store_the_same_rows(cases: dict[str, Case], monkeypatch: pytest.MonkeyPatch) -> None:
    first = services.compute(as_of=AS_OF)  # COPY on PostgreSQL, bulk_create in batches of 1000 elsewhere
    aggregates, outcomes = snapshot(), outcome_rows()
    monkeypatch.setattr(figures, "_can_copy", lambda: False)
    monkeypatch.setattr(figures, "BULK_BATCH", 9)  # many batches, the last one short
    second = services.compute(as_of=AS_OF)

    assert snapshot() == aggregates and outcome_rows() == outcomes
    assert first.rows_written == second.rows_written == KpiAggregate.objects.count()
    assert KpiAggregate.objects.count() % 9 != 0 and CaseOutcome.objects.count() % 9 != 0


def test_running_twice_gives_identical_case_outcomes(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    rows = outcome_rows()
    services.compute(as_of=AS_OF)
    services.compute(periods=["2024-03"], as_of=AS_OF)

    assert outcome_rows() == rows


def _writes(queries: CaptureQueriesContext, verb: str, table: str) -> int:
    return sum(q["sql"].lstrip().upper().startswith(verb) and table in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("periods", [None, ["2024-03"]], ids=["full", "one period"])
def test_old_rows_go_in_one_delete_per_table(cases: dict[str, Case], periods: list[str] | None) -> None:
    services.compute(as_of=AS_OF)
    with CaptureQueriesContext(connection) as queries:
        services.compute(periods=periods, as_of=AS_OF)

    for table in ("kpis_caseoutcome", "kpis_kpiaggregate"):
        assert _writes(queries, "DELETE", table) == 1
        if ON_POSTGRESQL:
            assert _writes(queries, "COPY", table) == 1
            assert _writes(queries, "INSERT", table) == 0


def test_a_failed_write_leaves_the_previous_rows(cases: dict[str, Case], monkeypatch: pytest.MonkeyPatch) -> None:
    services.compute(as_of=AS_OF)
    aggregates, outcomes = snapshot(), outcome_rows()
    Case.objects.filter(pk=cases["late"].pk).update(entered_in_error=True)
    figures = aggregate.figures
    # The outcomes are replaced first; then every figure twice breaks the unique constraint mid-write.
    monkeypatch.setattr(aggregate, "figures", lambda *args: figures(*args) * 2)

    with pytest.raises(IntegrityError):
        services.compute(as_of=AS_OF)

    assert KpiRun.objects.order_by("-id").values_list("status", flat=True).first() == KpiRun.Status.FAILED
    assert snapshot() == aggregates and outcome_rows() == outcomes
    assert CaseOutcome.objects.filter(case=cases["late"]).exists()
