"""95 % Wilson score interval (kpis.md "Conventions"), against published worked values."""

from __future__ import annotations

import pytest

from kpis.wilson import Z_95, wilson_interval


@pytest.mark.parametrize(("numerator", "denominator", "low", "high"), [
    pytest.param(8, 10, 0.4902, 0.9433, id="8/10"),
    pytest.param(0, 5, 0.0, 0.4345, id="0/5"),
    pytest.param(5, 5, 0.5655, 1.0, id="5/5"),
    pytest.param(1, 1, 0.2065, 1.0, id="1/1: low = 1/(1+z²)"),
    pytest.param(0, 1, 0.0, 0.7935, id="0/1: high = z²/(1+z²)"),
    pytest.param(50, 100, 0.4038, 0.5962, id="50/100"),
])
def test_known_values(numerator: int, denominator: int, low: float, high: float) -> None:
    assert wilson_interval(numerator, denominator) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(("numerator", "denominator", "end", "value"), [(0, 7, 0, 0.0), (7, 7, 1, 1.0)])
def test_ends_are_exactly_zero_and_one(numerator: int, denominator: int, end: int, value: float) -> None:
    interval = wilson_interval(numerator, denominator)
    assert interval is not None
    assert interval[end] == value


def test_no_interval_without_denominator() -> None:
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 5), (6, 5), (1, 0), (0, -1)])
def test_impossible_counts_raise(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError, match="numerator"):
        wilson_interval(numerator, denominator)


def test_z_is_the_exact_975th_centile() -> None:
    assert abs(Z_95 - 1.959964) < 1e-6
