"""Summary of a median measure over a set of cases (kpis.md "Conventions": n, median, q1, q3 in minutes).

Quartiles are `statistics.quantiles(method="inclusive")` (linear interpolation between order statistics);
the median is `statistics.median`. Small samples, which `quantiles` refuses:
- n = 0: median, q1 and q3 are all None (nothing to summarise, not zero minutes);
- n = 1: q1 = q3 = median = the single value.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from kpis.outcome import MeasureValue, NotEligible


@dataclass(frozen=True)
class MedianSummary:
    n: int
    median: float | None
    q1: float | None
    q3: float | None
    missing: int = 0  # eligible cases without the time, reported beside the figure
    not_eligible: int = 0


def quartiles(values: Iterable[float]) -> tuple[float | None, float | None, float | None]:
    """(q1, median, q3) of the values; see the module docstring for n = 0 and n = 1."""
    data = sorted(values)
    if not data:
        return None, None, None
    median = float(statistics.median(data))
    if len(data) == 1:
        return median, median, median
    q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return float(q1), median, float(q3)


def summarise(results: Iterable[MeasureValue]) -> MedianSummary:
    """Summarise per-case results of one median measure: minutes, None (missing) or NOT_ELIGIBLE."""
    minutes: list[float] = []
    missing = not_eligible = 0
    for result in results:
        if isinstance(result, NotEligible):
            not_eligible += 1
        elif result is None:
            missing += 1
        else:
            minutes.append(result)
    q1, median, q3 = quartiles(minutes)
    return MedianSummary(n=len(minutes), median=median, q1=q1, q3=q3, missing=missing,
                         not_eligible=not_eligible)
