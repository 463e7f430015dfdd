"""95 % Wilson score interval for a rate (kpis.md "Conventions": rates are shown with it).

Wilson rather than the normal ("Wald") interval because unit-level denominators are small and rates are
often 0 % or 100 %, where Wald collapses to a zero-width interval.
"""

from __future__ import annotations

from math import sqrt
from statistics import NormalDist
from typing import Final

# Two-sided 95 %: the 97.5th centile of the standard normal (1.959963…), not the rounded 1.96.
Z_95: Final = NormalDist().inv_cdf(0.975)


def wilson_interval(numerator: int, denominator: int, *, z: float = Z_95) -> tuple[float, float] | None:
    """(low, high) as proportions in [0, 1]; None when the denominator is 0 (no rate to bound)."""
    if not 0 <= numerator <= denominator:
        raise ValueError(f"Need 0 ≤ numerator ≤ denominator, got {numerator}/{denominator}")
    if denominator == 0:
        return None
    p = numerator / denominator
    z2_n = z * z / denominator
    centre = (p + z2_n / 2) / (1 + z2_n)
    half_width = z * sqrt(p * (1 - p) / denominator + z2_n / (4 * denominator)) / (1 + z2_n)
    # At 0/n and n/n the bounds are exactly 0 and 1; float rounding would leave e.g. 2.8e-17 instead.
    low = 0.0 if numerator == 0 else centre - half_width
    high = 1.0 if numerator == denominator else centre + half_width
    return low, high
