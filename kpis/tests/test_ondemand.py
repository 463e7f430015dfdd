"""Figures counted on demand from stored per-case outcomes (kpis.ondemand): a custom range gives exactly what a
run stores for the same dates, at every level, for rates and medians; attribution rows follow the run's
scope; babies in birth order for the rare-event chart. Cases as in test_compute (worked by hand there)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.timeutil import LONDON
from kpis import ondemand, services
from kpis.definitions.base import Level
from kpis.models import CaseAttribution, KpiAggregate
from kpis.periods import custom_period, parse_period_key
from kpis.registry import RATE_PER
from kpis.tests.test_compute import AS_OF, CODE, MEDIAN, make_case
from pathway.models import Case
from units.models import Network

FIELDS = ("kpi", "level", "org_code", "numerator", "denominator", "not_eligible", "missing", "rate", "n", "median",
          "q1", "q3")


@pytest.fixture
def cases(network: Network) -> dict[str, Case]:
    """test_compute's cases: a met, b not met (400 min), c missing, d not cooled, e met at 360 min, f in error."""
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


def _values(rows: list[KpiAggregate]) -> set[tuple[Any, ...]]:
    return {tuple(getattr(row, field) for field in FIELDS) for row in rows}


@pytest.mark.parametrize("key", ["2024", "2024-Q2", "2024-05", "FY2024-25"])
@pytest.mark.parametrize("level", [Level.NETWORK, Level.BIRTH_UNIT, Level.COOLING_CENTRE])
def test_a_range_of_whole_months_counts_what_the_run_stored(cases: dict[str, Case], key: str, level: Level) -> None:
    services.compute(as_of=AS_OF)
    period = parse_period_key(key)
    # A rate per live births is stored for calendar years only and never counted on demand (kpis.incidence).
    stored = list(KpiAggregate.objects.filter(period_key=key, level=level).exclude(kpi__in=RATE_PER))
    counted = ondemand.figures(custom_period(period.start, period.end), level=level)
    assert stored and _values(counted) == _values(stored)


def test_days_inside_a_month_count_only_the_babies_born_on_them(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    # 14 May (a, met) to 19 May: b (20 May, not met) is outside, f (15 May) was entered in error.
    rows = {r.kpi: r for r in ondemand.figures(custom_period(date(2024, 5, 14), date(2024, 5, 19)),
                                              level=Level.BIRTH_UNIT, org_code="RWG02")}
    assert (rows[CODE].numerator, rows[CODE].denominator, rows[CODE].missing) == (1, 1, 0)
    assert (rows[MEDIAN].n, rows[MEDIAN].median) == (1, 30.0)
    both = {r.kpi: r for r in ondemand.figures(custom_period(date(2024, 5, 14), date(2024, 5, 20)),
                                              level=Level.BIRTH_UNIT, org_code="RWG02")}
    assert (both[CODE].numerator, both[CODE].denominator) == (1, 2)
    assert (both[MEDIAN].n, both[MEDIAN].median, both[MEDIAN].q1, both[MEDIAN].q3) == (2, 215.0, 122.5, 307.5)


def test_counting_reads_no_case_row(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    with CaptureQueriesContext(connection) as queries:
        ondemand.figures(custom_period(date(2024, 1, 1), date(2024, 12, 31)), level=Level.BIRTH_UNIT)
    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if Case._meta.db_table in q["sql"]]


def test_attribution_follows_the_run_that_covered_the_case(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    assert set(CaseAttribution.objects.values_list("case_id", "born", "birth_unit_code", "cooling_centre_code")) == {
        (cases["a"].pk, date(2024, 5, 14), "RWG02", "RGT01"), (cases["b"].pk, date(2024, 5, 20), "RWG02", "RGT01"),
        (cases["c"].pk, date(2024, 8, 2), "RGT01", "RGT01"), (cases["d"].pk, date(2024, 2, 10), "RDE03", ""),
        (cases["e"].pk, date(2024, 11, 3), "RDE03", "RM102")}  # f was entered in error; d was not cooled
    Case.objects.filter(pk=cases["a"].pk).update(entered_in_error=True, entered_in_error_reason="duplicate")
    added = make_case(datetime(2024, 5, 28, 9, 0, tzinfo=LONDON), birth_unit="RDE03")
    services.compute(periods=["2024-05"], as_of=AS_OF)
    assert not CaseAttribution.objects.filter(case=cases["a"]).exists()
    assert CaseAttribution.objects.get(case=added).birth_unit_code == "RDE03"
    assert CaseAttribution.objects.filter(case=cases["e"]).exists()  # outside the run's periods: kept


def test_the_pooled_period_is_three_years_to_the_run_date() -> None:
    assert ondemand.pooled_period(date(2026, 12, 4)) == custom_period(date(2023, 12, 5), date(2026, 12, 4))
    assert ondemand.pooled_period(date(2028, 2, 29)).start == date(2025, 3, 1)


def test_babies_in_birth_order_with_their_breaches(cases: dict[str, Case]) -> None:
    services.compute(as_of=AS_OF)
    babies = ondemand.babies_in_order(CODE, level=Level.NETWORK, org_code=None)
    # a met (14 May), b not met (20 May), e met (3 Nov); c is missing and d not eligible: left out.
    assert babies == [ondemand.Baby(date(2024, 5, 14), False), ondemand.Baby(date(2024, 5, 20), True),
                      ondemand.Baby(date(2024, 11, 3), False)]
    assert [b.born for b in ondemand.babies_in_order(CODE, level=Level.BIRTH_UNIT, org_code="RDE03")] == [
        date(2024, 11, 3)]
    # Overcooling is lower-is-better: its breach is a baby counted ("met"), not one who was not.
    assert ondemand.breach_outcome(ondemand.REGISTRY["overcooling_before_centre"].DIRECTION) == "met"
