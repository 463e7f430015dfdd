"""Run-chart rules for non-random variation (NHS England "Making data count"; IHI run-chart rules).

- **Shift:** 6 or more consecutive points on the same side of the median. Points exactly on the median
  neither count towards a shift nor break it.
- **Trend:** 5 or more consecutive points all going up or all going down. A point equal to the one before
  it neither counts towards a trend nor breaks it.

Both functions take the plotted values in time order (no gaps) and return half-open index ranges
`range(first, last + 1)`, where `first` and `last` are the first and last points that count. A point on the
median (or a repeated value) inside a range is covered by it but did not count. Trends that change
direction share their turning point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

SHIFT_LENGTH: Final = 6
TREND_LENGTH: Final = 5


def detect_shifts(values: Sequence[float], median: float, *, min_length: int = SHIFT_LENGTH) -> list[range]:
    shifts: list[range] = []
    side = start = end = count = 0
    for index, value in enumerate(values):
        point_side = _sign(value - median)
        if point_side == 0:
            continue
        if point_side != side:
            if count >= min_length:
                shifts.append(range(start, end + 1))
            side, start, count = point_side, index, 0
        count += 1
        end = index
    if count >= min_length:
        shifts.append(range(start, end + 1))
    return shifts


def detect_trends(values: Sequence[float], *, min_length: int = TREND_LENGTH) -> list[range]:
    trends: list[range] = []
    direction = start = end = 0
    count = 1
    for index in range(1, len(values)):
        step = _sign(values[index] - values[index - 1])
        if step == 0:
            continue
        if step != direction:
            if count >= min_length:
                trends.append(range(start, end + 1))
            # The new run starts at the previous point (the last of any repeated values).
            direction, start, count = step, index - 1, 1
        count += 1
        end = index
    if count >= min_length:
        trends.append(range(start, end + 1))
    return trends


def counted_points(values: Sequence[float], ranges: Sequence[range], *, skip: float | None = None) -> set[int]:
    """Indices inside the ranges, without those equal to `skip` (the median, for shifts)."""
    return {index for run in ranges for index in run if skip is None or values[index] != skip}


def _sign(difference: float) -> int:
    return (difference > 0) - (difference < 0)
