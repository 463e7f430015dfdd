"""kpis.services.compute on the real test database: figures, placement, idempotence and failure.

Expected counts are worked out by hand from the cases below (kpis.md tables), not read from the code.
Cases are written with the ORM (not the pathway services) so that no recompute is queued behind the test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from kpis import registry, services
from kpis.definitions.base import TH_LEVELS
from kpis.models import CaseOutcome, KpiAggregate, KpiRun
from kpis.outcome import Direction
from pathway.models import Case
from units.models import Network

AS_OF = date(2025, 1, 15)  # 2-year follow-up is not yet due for any 2024 birth
CODE = "cooling_started_6h"
MEDIAN = "age_at_cooling_start_min"


def make_case(birth: datetime, *, cooling_min: float | None = 30, **overrides: Any) -> Case:
    """A cooled baby (Watford → Addenbrooke's unless overridden) whose cooling started `cooling_min` after birth."""
    values = cooled_case_values(birth=birth, **overrides)
    if "passive_cooling_start" not in overrides:
        values["passive_cooling_start"] = None if cooling_min is None else birth + timedelta(minutes=cooling_min)
    if "active_cooling_start" not in overrides:
        values["active_cooling_start"] = None
    return Case.objects.create(**values)


def figure(kpi: str, level: str, org: str, period: str) -> KpiAggregate:
    return KpiAggregate.objects.get(kpi=kpi, level=level, org_code=org, period_key=period)


def counts(row: KpiAggregate) -> tuple[int, int, int, int]:
    return row.numerator, row.denominator, row.not_eligible, row.missing


def snapshot() -> list[tuple[Any, ...]]:
    """Every aggregate row without its id and run: what two equivalent runs must agree on."""
    fields = [f.name for f in KpiAggregate._meta.fields if f.name not in ("id", "run")]
    return sorted(KpiAggregate.objects.values_list(*fields))


@pytest.fixture
def cases(network: Network) -> dict[str, Case]:
    """Five current cases in 2024 and one entered in error.

    | case | born (London)    | birth unit → centre | TH  | cooling start | cooling_started_6h |
    |------|------------------|---------------------|-----|---------------|--------------------|
    | a    | 2024-05-14 03:10 | RWG02 → RGT01       | yes | 30 min        | met                |
    | b    | 2024-05-20 10:00 | RWG02 → RGT01       | yes | 400 min       | not met            |
    | c    | 2024-08-02 12:00 | RGT01 → RGT01       | yes | none          | missing            |
    | d    | 2024-02-10 08:00 | RDE03, no centre    | no  | none          | not eligible       |
    | e    | 2024-11-03 21:00 | RDE03 → RM102       | yes | 360 min       | met (boundary)     |
    | f    | 2024-05-15 09:00 | RWG02 → RGT01       | yes | 30 min        | entered in error   |
    """
    return {
        "a": make_case(datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)),
        "b": make_case(datetime(2024, 5, 20, 10, 0, tzinfo=LONDON), cooling_min=400),
        "c": make_case(datetime(2024, 8, 2, 12, 0, tzinfo=LONDON), cooling_min=None, birth_unit="RGT01",
                       target_temp_reached=None),
        "d": make_case(datetime(2024, 2, 10, 8, 0, tzinfo=LONDON), cooling_min=None, birth_unit="RDE03",
                       therapeutic_hypothermia="no", cooling_centre=None, target_temp_reached=None,
                       rewarming_start=None, rewarming_end=None),
        "e": make_case(datetime(2024, 11, 3, 21, 0, tzinfo=LONDON), cooling_min=360, birth_unit="RDE03",
                       centre="RM102"),
        "f": make_case(datetime(2024, 5, 15, 9, 0, tzinfo=LONDON), entered_in_error=True,
                       entered_in_error_reason="duplicate"),
    }


# --- Figures -------------------------------------------------------------------------------------


def test_rate_figures_at_each_level(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)

    # (met, met + not met, not eligible, missing); f is entered in error and never counted.
    assert counts(figure(CODE, "network", "EOE", "2024")) == (2, 3, 1, 1)  # a e / a b e / d / c
    assert counts(figure(CODE, "birth_unit", "RWG02", "2024")) == (1, 2, 0, 0)  # a / a b
    assert counts(figure(CODE, "birth_unit", "RGT01", "2024")) == (0, 0, 0, 1)  # c
    assert counts(figure(CODE, "birth_unit", "RDE03", "2024")) == (1, 1, 1, 0)  # e / e / d
    assert counts(figure(CODE, "cooling_centre", "RGT01", "2024")) == (1, 2, 0, 1)  # a / a b / c
    assert counts(figure(CODE, "cooling_centre", "RM102", "2024")) == (1, 1, 0, 0)  # e
    assert figure(CODE, "network", "EOE", "2024").rate == pytest.approx(2 / 3)
    assert figure(CODE, "birth_unit", "RGT01", "2024").rate is None  # nobody in the denominator
    # The cooling-centre level holds TH babies only: d has no centre row, and no centre has a not-cooled case.
    assert not KpiAggregate.objects.filter(level="cooling_centre", not_eligible__gt=0, kpi=CODE).exists()


def test_rows_carry_period_dates_org_and_version(cases: dict[str, Case]) -> None:
    run = services.compute(as_of=AS_OF)

    row = figure(CODE, "birth_unit", "RWG02", "2024-Q2")
    assert (row.period_type, row.period_start, row.period_end) == ("quarter", date(2024, 4, 1), date(2024, 6, 30))
    assert row.org is not None and row.org.ods_code == "RWG02"
    assert row.run == run and row.definition_version == 1
    network = figure(CODE, "network", "EOE", "2024-05")
    assert network.org is None
    assert counts(network) == (1, 2, 0, 0)  # a and b were born in May; f is excluded
    assert run.definition_versions[CODE] == 1 and set(run.definition_versions) == set(registry.REGISTRY)


def test_quarters_months_and_windows_hold_the_right_cases(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)

    network = {row.period_key: counts(row) for row in KpiAggregate.objects.filter(kpi=CODE, level="network")}
    assert network["2024-Q1"] == (0, 0, 1, 0)  # d
    assert network["2024-Q2"] == (1, 2, 0, 0)  # a b
    assert network["2024-Q3"] == (0, 0, 0, 1)  # c
    assert network["2024-Q4"] == (1, 1, 0, 0)  # e
    assert network["R12-2024-05"] == (1, 2, 1, 0)  # 2023-06 .. 2024-05: d a b
    assert network["R12-2024-12"] == (2, 3, 1, 1)  # the calendar year
    assert network["R12-2025-01"] == (2, 3, 1, 1)  # 2024-02 .. 2025-01: all five
    # Windows exist up to the run date's month and no further.
    assert "R12-2025-02" not in network
    assert "2024-06" not in network  # no birth in June: no monthly row


def test_median_figures(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)

    row = figure(MEDIAN, "network", "EOE", "2024")
    # TH babies with a cooling start: a 30, e 360, b 400 minutes; c has none (missing); d is not cooled.
    # Inclusive quartiles of [30, 360, 400]: q1 = 30 + (360 − 30)/2, q3 = 360 + (400 − 360)/2.
    assert (row.n, row.median, row.q1, row.q3) == (3, 360.0, 195.0, 380.0)
    assert (row.missing, row.not_eligible, row.numerator, row.denominator, row.rate) == (1, 1, 0, 0, None)
    assert row.is_median


def test_case_outcomes_are_stored_per_case(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)

    outcome = {case: CaseOutcome.objects.get(case=cases[case], kpi=CODE).outcome for case in "abcde"}
    assert outcome == {"a": "met", "b": "not_met", "c": "missing", "d": "not_eligible", "e": "met"}
    measured = CaseOutcome.objects.get(case=cases["b"], kpi=MEDIAN)
    assert (measured.outcome, measured.value, measured.as_of) == ("measured", 400.0, AS_OF)
    assert CaseOutcome.objects.get(case=cases["c"], kpi=MEDIAN).value is None
    assert not CaseOutcome.objects.filter(case=cases["f"]).exists()
    assert CaseOutcome.objects.count() == 5 * len(registry.REGISTRY)


# --- Placement by London date --------------------------------------------------------------------


def test_new_year_eve_2330_london_is_in_the_old_year(network: Network) -> None:
    make_case(datetime(2024, 12, 31, 23, 30, tzinfo=LONDON))  # GMT: also 23:30 UTC
    make_case(datetime(2025, 1, 1, 0, 0, tzinfo=LONDON))
    services.compute(as_of=AS_OF)

    assert counts(figure(CODE, "network", "EOE", "2024")) == (1, 1, 0, 0)
    assert counts(figure(CODE, "network", "EOE", "2024-12")) == (1, 1, 0, 0)
    assert counts(figure(CODE, "network", "EOE", "2025-Q1")) == (1, 1, 0, 0)


def test_a_summer_birth_after_london_midnight_is_in_the_london_month_not_the_utc_one(network: Network) -> None:
    # 00:30 BST on 1 July and on 1 October are still 30 June and 30 September in UTC.
    make_case(datetime(2024, 6, 30, 23, 30, tzinfo=UTC))
    make_case(datetime(2024, 9, 30, 23, 30, tzinfo=UTC))
    services.compute(as_of=AS_OF)

    periods = set(KpiAggregate.objects.filter(kpi=CODE, level="network").values_list("period_key", flat=True))
    assert {"2024-07", "2024-Q3", "2024-10", "2024-Q4"} <= periods
    assert not {"2024-06", "2024-Q2", "2024-09"} & periods
    assert counts(figure(CODE, "network", "EOE", "2024-Q3")) == (1, 1, 0, 0)


def test_a_partial_run_selects_cases_by_london_date(network: Network) -> None:
    make_case(datetime(2024, 6, 30, 23, 30, tzinfo=UTC))  # 1 July in London
    services.compute(periods=["2024-06", "2024-07"], as_of=AS_OF)

    assert counts(figure(CODE, "network", "EOE", "2024-07")) == (1, 1, 0, 0)
    assert not KpiAggregate.objects.filter(period_key="2024-06").exists()


def test_clock_change_nights_use_exact_minutes_and_london_dates(network: Network) -> None:
    # Spring: born 00:30 GMT on 31 March, cooled at 07:30 BST = 360 real minutes (420 on the wall clock).
    spring = datetime(2024, 3, 31, 0, 30, tzinfo=LONDON)
    make_case(spring, passive_cooling_start=datetime(2024, 3, 31, 7, 30, tzinfo=LONDON))
    # Autumn: born 00:30 BST on 27 October, cooled at 05:31 GMT = 361 real minutes (301 on the wall clock).
    autumn = datetime(2024, 10, 27, 0, 30, tzinfo=LONDON)
    make_case(autumn, passive_cooling_start=datetime(2024, 10, 27, 5, 31, tzinfo=LONDON))
    services.compute(as_of=AS_OF)

    assert counts(figure(CODE, "network", "EOE", "2024-03")) == (1, 1, 0, 0)
    assert counts(figure(CODE, "network", "EOE", "2024-10")) == (0, 1, 0, 0)
    assert figure(MEDIAN, "network", "EOE", "2024-03").median == 360.0
    assert figure(MEDIAN, "network", "EOE", "2024-10").median == 361.0


# --- Idempotence and scope -----------------------------------------------------------------------


def test_running_twice_gives_identical_rows(cases: dict[str, Case]) -> None:
    first = services.compute(as_of=AS_OF)
    rows = snapshot()
    second = services.compute(as_of=AS_OF)

    assert snapshot() == rows
    assert first.rows_written == second.rows_written == len(rows) == KpiAggregate.objects.count()
    assert set(KpiAggregate.objects.values_list("run", flat=True)) == {second.pk}


def test_recomputing_a_case_s_periods_matches_a_full_run(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    full = snapshot()
    keys = [p.key for p in services.periods_for_case(cases["a"], as_of=AS_OF)]
    run = services.compute(periods=keys, as_of=AS_OF)

    assert snapshot() == full
    assert run.scope == KpiRun.Scope.PERIODS
    # Year, NHS financial year, quarter, month, and the windows ending May 2024 .. January 2025 (the run
    # date's month): 4 + 9.
    assert set(run.period_keys) == set(keys) and len(keys) == 13


def test_a_partial_run_replaces_only_its_periods(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    Case.objects.filter(pk=cases["b"].pk).update(entered_in_error=True)
    services.compute(periods=["2024-05"], as_of=AS_OF)

    assert counts(figure(CODE, "network", "EOE", "2024-05")) == (1, 1, 0, 0)  # b has gone
    assert counts(figure(CODE, "network", "EOE", "2024-Q2")) == (1, 2, 0, 0)  # not recomputed: as before
    assert not CaseOutcome.objects.filter(case=cases["b"]).exists()


def test_entered_in_error_cases_leave_every_figure(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    with_f = snapshot()
    Case.objects.filter(pk=cases["f"].pk).update(entered_in_error=False)
    services.compute(as_of=AS_OF)

    assert snapshot() != with_f
    assert counts(figure(CODE, "network", "EOE", "2024")) == (3, 4, 1, 1)


def test_no_query_per_case(network: Network) -> None:
    def reads_in_a_run() -> int:
        # Only reads: bulk inserts are batched, so their count grows with the rows written, as it should.
        with CaptureQueriesContext(connection) as queries:
            services.compute(periods=["2024"], as_of=AS_OF)
        return sum(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)

    make_case(datetime(2024, 3, 1, 9, 0, tzinfo=LONDON))
    few = reads_in_a_run()
    for day in range(2, 12):
        make_case(datetime(2024, 3, day, 9, 0, tzinfo=LONDON), birth_unit="RDE03", centre="RM102")
    assert reads_in_a_run() == few


# --- Failure -------------------------------------------------------------------------------------


def _broken_definition() -> SimpleNamespace:
    def evaluate(facts: object, as_of: date) -> None:
        raise RuntimeError("definition exploded")

    return SimpleNamespace(CODE="broken_kpi", TITLE="Broken", SOURCE="test", VERSION=1,
                           DIRECTION=Direction.HIGHER, LEVELS=TH_LEVELS, evaluate=evaluate)


def test_a_failing_definition_leaves_a_failed_run_and_the_old_figures(
        cases: dict[str, Case], monkeypatch: pytest.MonkeyPatch) -> None:
    services.compute(as_of=AS_OF)
    before = snapshot()
    monkeypatch.setattr(registry, "KPIS", (*registry.KPIS, _broken_definition()))

    with pytest.raises(RuntimeError, match="definition exploded"):
        services.compute(as_of=AS_OF)

    run = KpiRun.objects.order_by("-id").first()
    assert run is not None and run.status == KpiRun.Status.FAILED
    assert "RuntimeError: definition exploded" in run.error
    assert run.finished_at is not None
    assert snapshot() == before  # the write transaction was rolled back whole


def test_a_bad_period_key_is_refused_before_a_run_is_recorded(network: Network) -> None:
    with pytest.raises(ValueError, match="Not a period key"):
        services.compute(periods=["2024-13"])
    assert not KpiRun.objects.exists()


def test_progress_is_recorded(cases: dict[str, Case]) -> None:
    run = services.compute(as_of=AS_OF)

    assert (run.status, run.progress_done, run.progress_total, run.progress_percent) == ("succeeded", 5, 5, 100)
    assert run.seconds is not None and run.seconds >= 0
