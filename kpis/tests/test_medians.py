"""Median summaries (kpis.md "Conventions"): n, median, q1, q3 with inclusive quartiles; n = 0 and n = 1."""

from __future__ import annotations

import pytest

from kpis.medians import MedianSummary, quartiles, summarise
from kpis.outcome import NOT_ELIGIBLE, MeasureValue


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param([], (None, None, None), id="n=0: all None"),
    pytest.param([42.0], (42.0, 42.0, 42.0), id="n=1: q1 = q3 = median"),
    pytest.param([1.0, 2.0], (1.25, 1.5, 1.75), id="n=2"),
    pytest.param([1.0, 2.0, 3.0, 4.0], (1.75, 2.5, 3.25), id="n=4"),
    pytest.param([10.0, 20.0, 30.0, 40.0, 50.0], (20.0, 30.0, 40.0), id="n=5 on order statistics"),
    pytest.param([50.0, 10.0, 40.0, 20.0, 30.0], (20.0, 30.0, 40.0), id="order of input is irrelevant"),
    pytest.param([30.0, 141.0, 370.0, 85.0, 230.0, 122.0], (94.25, 131.5, 207.75), id="n=6 interpolated"),
])
def test_quartiles(values: list[float], expected: tuple[float | None, float | None, float | None]) -> None:
    # Exact equality: every expected value here is exactly representable in binary floating point.
    assert quartiles(values) == expected


def test_summarise_counts_missing_and_not_eligible_beside_the_figure() -> None:
    results: list[MeasureValue] = [30.0, None, NOT_ELIGIBLE, 90.0, 60.0, None, NOT_ELIGIBLE, NOT_ELIGIBLE]
    assert summarise(results) == MedianSummary(n=3, median=60.0, q1=45.0, q3=75.0, missing=2, not_eligible=3)


def test_summarise_with_no_times_has_no_median() -> None:
    assert summarise([None, NOT_ELIGIBLE]) == MedianSummary(n=0, median=None, q1=None, q3=None, missing=1,
                                                            not_eligible=1)


def test_summarise_single_value() -> None:
    assert summarise([12.5]) == MedianSummary(n=1, median=12.5, q1=12.5, q3=12.5)


def test_zero_minutes_is_a_value_not_missing() -> None:
    assert summarise([0.0, 0.0]) == MedianSummary(n=2, median=0.0, q1=0.0, q3=0.0)
