"""Run chart of a KPI by month or quarter, with the median of a baseline and the run-chart rules.

The centre line is the median of the first `baseline_points` plotted values (12 by default, or all of them
when there are fewer), drawn solid over the baseline and dashed after it. Shifts (6 or more consecutive
points on one side of the median; points on the median neither count nor break) and trends (5 or more
consecutive points rising or falling; repeated values neither count nor break) are found by
`kpis.charts.run_rules` (NHS England "Making data count"; IHI) over all plotted points and highlighted.
Periods without a value (no eligible cases) are left as gaps and skipped by the rules. A period that has not
ended yet (`RunPoint.partial`, e.g. the current month on its 4th day) is drawn as an open marker, said to be
incomplete in the table, and left out of the median and the rules: its few babies are not a month's worth.

Axis labels stay horizontal and readable: with up to `MAX_MONTH_LABELS` months each is labelled ("Jan" with
its year under January and the first month); with more, only quarter starts ("Q1" with the year under Q1),
and with more than `MAX_QUARTER_LABELS` quarters, only years. Points with no `start` date are thinned evenly.
The data table always lists every period, with its numerator, denominator and missing when given.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from kpis.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_GREEN,
    NHS_RED,
    NHS_WARM_YELLOW,
    Chart,
    DataTable,
    legend_below,
    make_chart,
    not_enough_data_chart,
    number,
    percent,
    plural,
    set_title,
)
from kpis.charts.run_rules import SHIFT_LENGTH, TREND_LENGTH, counted_points, detect_shifts, detect_trends

Formatter = Callable[[float], str]

BASELINE_POINTS: Final = 12
MIN_POINTS: Final = 2
KIND: Final = "Run chart"
MAX_MONTH_LABELS: Final = 24
MAX_QUARTER_LABELS: Final = 24


@dataclass(frozen=True)
class RunPoint:
    label: str  # period, e.g. "2024-01" or "2024-Q1"
    value: float | None  # a proportion in [0, 1] when the chart is in percent; None = no eligible cases
    n: int  # cases behind the value (the denominator of a rate)
    numerator: int | None = None  # a rate's numerator, listed in the data table when given
    missing: int | None = None  # eligible cases without the data, listed in the data table when given
    partial: bool = False  # the period has not ended yet (drawn open, left out of the median and rules)
    start: date | None = None  # first day of the period, for readable axis labels


@dataclass(frozen=True)
class ReferenceLine:
    label: str  # e.g. "East of England baseline (2012)"
    value: float


@dataclass(frozen=True)
class _Signals:
    median: float
    baseline: int  # how many plotted points the median is taken from
    shifts: list[range]
    trends: list[range]
    shift_points: set[int]  # indices into the plotted points
    trend_points: set[int]


def run_chart(points: Sequence[RunPoint], *, title: str, baseline_points: int = BASELINE_POINTS,
              percent_scale: bool = True, value_label: str = "Rate", target: float | None = None,
              reference: ReferenceLine | None = None, target_label: str = "Target") -> Chart:
    """Run chart of `points` in time order; `percent_scale=False` for values such as median minutes.
    `target` is drawn as a green dashed line named `target_label` (e.g. "Network aim")."""
    if baseline_points < 1:
        raise ValueError("Need at least one baseline point")
    fmt: Formatter = percent if percent_scale else number
    plotted = [index for index, point in enumerate(points) if point.value is not None and not point.partial]
    values = [_value(points[index]) for index in plotted]
    header = _header(value_label, points)
    if len(values) < MIN_POINTS:
        table = DataTable(header, tuple(_row(point, "", fmt, header) for point in points))
        caption = (f"Not enough data to draw a run chart of {title}: it needs at least {MIN_POINTS} periods "
                   f"with a value, and there {'is' if len(values) == 1 else 'are'} {len(values)}.")
        return not_enough_data_chart(kind=KIND, title=title, caption=caption, table=table)
    signals = _signals(values, baseline_points)
    signal_by_index = {index: _signal_text(position, signals) for position, index in enumerate(plotted)}
    table = DataTable(header, tuple(_row(point, signal_by_index.get(index, ""), fmt, header)
                                    for index, point in enumerate(points)))
    caption = _caption(points, title, signals, fmt)

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        _draw_series(axes, points, plotted, values, signals)
        _draw_partial(axes, points)
        _draw_lines(axes, len(points), plotted[signals.baseline - 1], signals, fmt,
                    ReferenceLine(target_label, target) if target is not None else None, reference)
        _style_axes(axes, points, title, value_label, percent_scale)
        legend_below(figure, axes)

    return make_chart(kind=KIND, title=title, caption=caption, table=table, draw=draw,
                      size=(max(6.0, min(11.0, 2.5 + 0.35 * len(points))), 4.0))


def _value(point: RunPoint) -> float:
    if point.value is None:
        raise ValueError(f"{point.label} has no value")
    return point.value


def _signals(values: Sequence[float], baseline_points: int) -> _Signals:
    baseline = min(baseline_points, len(values))
    median = statistics.median(values[:baseline])
    shifts = detect_shifts(values, median)
    trends = detect_trends(values)
    return _Signals(median=median, baseline=baseline, shifts=shifts, trends=trends,
                    shift_points=counted_points(values, shifts, skip=median),
                    trend_points=counted_points(values, trends))


def _signal_text(position: int, signals: _Signals) -> str:
    names = [name for name, members in (("Shift", signals.shift_points), ("Trend", signals.trend_points))
             if position in members]
    return " and ".join(names).capitalize()


_MET, _CASES, _MISSING = "Met", "Cases", "Missing"


def _header(value_label: str, points: Sequence[RunPoint]) -> tuple[str, ...]:
    """Period, value, then the counts that were given (met, cases, missing), then the signal."""
    met = (_MET,) if any(point.numerator is not None for point in points) else ()
    missing = (_MISSING,) if any(point.missing is not None for point in points) else ()
    return ("Period", value_label, *met, _CASES, *missing, "Signal")


def _row(point: RunPoint, signal: str, fmt: Formatter, header: tuple[str, ...]) -> tuple[str, ...]:
    value = "–" if point.value is None else fmt(point.value)
    label = f"{point.label} (not over yet)" if point.partial else point.label
    counts = {_MET: point.numerator, _CASES: point.n, _MISSING: point.missing}
    return (label, value, *(_count_text(counts[name]) for name in header[2:-1]), signal)


def _count_text(count: int | None) -> str:
    return "–" if count is None else str(count)


def _caption(points: Sequence[RunPoint], title: str, signals: _Signals, fmt: Formatter) -> str:
    cases = sum(point.n for point in points)
    median = fmt(signals.median)
    partial = [point.label for point in points if point.partial]
    partial_text = (f" {join_partial(partial)} not over yet, so it is drawn open and left out of the median and "
                    "the rules." if partial else "")
    return (f"Run chart of {title} for {plural(len(points), 'period')} from {points[0].label} to "
            f"{points[-1].label} ({plural(cases, 'case')}), with the median of {median} over the first "
            f"{plural(signals.baseline, 'plotted period')}; "
            f"{_count(len(signals.shifts), 'shift')} ({SHIFT_LENGTH} or more points on one side of the median) "
            f"and {_count(len(signals.trends), 'trend')} ({TREND_LENGTH} or more points rising or falling) found."
            f"{partial_text}")


def join_partial(labels: Sequence[str]) -> str:
    return f"{labels[0]} is" if len(labels) == 1 else f"{', '.join(labels)} are"


def _count(count: int, name: str) -> str:
    return f"no {name}s" if count == 0 else plural(count, name)


def _draw_series(axes: Axes, points: Sequence[RunPoint], plotted: Sequence[int], values: Sequence[float],
                 signals: _Signals) -> None:
    series = [float("nan") if point.value is None or point.partial else point.value for point in points]
    axes.plot(range(len(points)), series, "-o", color=NHS_BLUE, markersize=5, linewidth=1.5, zorder=2)
    shift = [position for position in range(len(plotted)) if position in signals.shift_points]
    trend = [position for position in range(len(plotted)) if position in signals.trend_points]
    if shift:
        axes.scatter([plotted[i] for i in shift], [values[i] for i in shift], s=70, color=NHS_WARM_YELLOW,
                     edgecolors=NHS_DARK_GREY, linewidths=0.8, zorder=3,
                     label=f"Shift ({SHIFT_LENGTH}+ on one side)")
    if trend:
        axes.scatter([plotted[i] for i in trend], [values[i] for i in trend], s=110, marker="D",
                     facecolors="none", edgecolors=NHS_RED, linewidths=1.4, zorder=4,
                     label=f"Trend ({TREND_LENGTH}+ rising or falling)")


def _draw_partial(axes: Axes, points: Sequence[RunPoint]) -> None:
    """The period not over yet: an open marker, joined to the last point by a dotted line."""
    partial = [(index, point.value) for index, point in enumerate(points) if point.partial and point.value is not None]
    if not partial:
        return
    axes.scatter([index for index, _ in partial], [value for _, value in partial], s=40, facecolors="white",
                 edgecolors=NHS_BLUE, linewidths=1.5, zorder=3, label="Not over yet (open marker)")
    for index, value in partial:
        before = points[index - 1].value if index > 0 else None
        if before is not None:
            axes.plot([index - 1, index], [before, value], ":", color=NHS_BLUE, linewidth=1.2, zorder=2)


def _draw_lines(axes: Axes, count: int, baseline_end: int, signals: _Signals, fmt: Formatter,
                target: ReferenceLine | None, reference: ReferenceLine | None) -> None:
    """Median solid over the baseline periods and dashed after them; optional target and reference."""
    axes.hlines(signals.median, -0.5, baseline_end + 0.5, colors=NHS_DARK_GREY, linewidth=1.4,
                label=f"Median {fmt(signals.median)} (first {plural(signals.baseline, 'point')})")
    if baseline_end < count - 1:
        axes.hlines(signals.median, baseline_end + 0.5, count - 0.5, colors=NHS_DARK_GREY, linewidth=1.4,
                    linestyles="--")
    if target is not None:
        axes.axhline(target.value, color=NHS_GREEN, linestyle="--", linewidth=1.6,
                     label=f"{target.label} {fmt(target.value)}")
    if reference is not None:
        axes.axhline(reference.value, color=NHS_DARK_GREY, linestyle=":", linewidth=1.2,
                     label=f"{reference.label} {fmt(reference.value)}")
    axes.set_xlim(-0.5, count - 0.5)


def _style_axes(axes: Axes, points: Sequence[RunPoint], title: str, value_label: str, percent_scale: bool) -> None:
    ticks = axis_labels(points)
    axes.set_xticks([index for index, _ in ticks], [label for _, label in ticks], fontsize=8)
    if percent_scale:
        axes.set_ylim(-0.02, 1.02)
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_ylabel(value_label)
    set_title(axes, title)


def axis_labels(points: Sequence[RunPoint]) -> list[tuple[int, str]]:
    """(index, label) of the points to label on the x axis (see the module docstring)."""
    starts = [point.start for point in points]
    if not points:
        return []
    if any(start is None for start in starts):
        step = max(1, -(-len(points) // MAX_MONTH_LABELS))
        return [(index, point.label) for index, point in enumerate(points) if index % step == 0]
    days = [start for start in starts if start is not None]
    monthly = len(days) < 2 or (days[1].year * 12 + days[1].month) - (days[0].year * 12 + days[0].month) == 1
    if monthly and len(days) <= MAX_MONTH_LABELS:
        return [(i, f"{d:%b}\n{d.year}" if i == 0 or d.month == 1 else f"{d:%b}") for i, d in enumerate(days)]
    quarters = [(i, d) for i, d in enumerate(days) if d.month % 3 == 1]
    if len(quarters) <= MAX_QUARTER_LABELS:
        return [(i, f"Q{(d.month - 1) // 3 + 1}\n{d.year}" if n == 0 or d.month == 1 else f"Q{(d.month - 1) // 3 + 1}")
                for n, (i, d) in enumerate(quarters)]
    return [(i, f"{d.year}") for i, d in quarters if d.month == 1]
