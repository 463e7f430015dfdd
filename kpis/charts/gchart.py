"""g-chart: babies between consecutive breaches of a standard, for rare events (Benneyan 2001).

A monthly rate of a rare event (HIE is 1–2 per 1,000 births) is mostly noise; counting the babies cared for
between one breach and the next is not. Each point is one breach: how many babies the standard was met for
since the breach before (0 when two breaches follow each other). The first point counts from the first
baby in the data. The last, open point is the count since the most recent breach, still growing: drawn
hollow and left out of the limits.

Limits (J. C. Benneyan, "Number-between g-type statistical quality control charts for monitoring adverse
events", Health Care Management Science 4 (2001) 305–318), for g = babies between breaches, geometric with
mean ḡ:

    centre line ḡ,   upper limit ḡ + 3·√(ḡ·(ḡ + 1)),   lower limit max(0, ḡ − 3·√(ḡ·(ḡ + 1))) = 0.

A point above the upper limit is an unusually long run without a breach: evidence of improvement. A run of
short gaps (many points near zero) is evidence that breaches became more frequent; the lower limit is 0, so
it shows as a cluster rather than a point beyond a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import sqrt
from typing import Final

from matplotlib.figure import Figure

from kpis.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_GREEN,
    Chart,
    DataTable,
    legend_below,
    make_chart,
    not_enough_data_chart,
    number,
    plural,
    set_title,
)

KIND: Final = "g-chart"
MIN_GAPS: Final = 3  # fewer closed gaps than this give no useful mean
HEADER: Final = ("Breach", "Date of birth", "Babies since the breach before", "Signal")


@dataclass(frozen=True)
class Gap:
    """Babies without a breach before one breach (or, when `open`, since the latest one)."""

    ended: date | None  # birth date of the baby with the breach; None for the open count
    babies: int
    open: bool = False


@dataclass(frozen=True)
class Limits:
    centre: float
    upper: float
    lower: float


def gaps(breaches: Sequence[bool], births: Sequence[date]) -> list[Gap]:
    """The gaps of a series of babies in birth order (True = breach), the open count last."""
    found: list[Gap] = []
    since = 0
    for breach, born in zip(breaches, births, strict=True):
        if breach:
            found.append(Gap(born, since))
            since = 0
        else:
            since += 1
    found.append(Gap(None, since, open=True))
    return found


def g_limits(counts: Sequence[int]) -> Limits:
    """Benneyan's limits around the mean gap (see the module docstring)."""
    if not counts:
        raise ValueError("Need at least one gap between breaches")
    mean = sum(counts) / len(counts)
    spread = 3 * sqrt(mean * (mean + 1))
    return Limits(centre=mean, upper=mean + spread, lower=max(0.0, mean - spread))


def g_chart(series: Sequence[Gap], *, title: str, breach_name: str, breach_plural: str = "") -> Chart:
    """The chart of `gaps(...)`: closed gaps as points, the open count hollow at the end. `breach_name` is
    what one event is called ("breach"), `breach_plural` its plural (default: with an "s")."""
    many = breach_plural or f"{breach_name}s"
    closed = [gap for gap in series if not gap.open]
    current = next((gap for gap in series if gap.open), None)
    if len(closed) < MIN_GAPS:
        table = DataTable(HEADER, tuple(_row(index, gap, None) for index, gap in enumerate(series, start=1)))
        caption = (f"Not enough {many} to draw a g-chart of {title}: it needs at least {MIN_GAPS} "
                   f"and there {'is' if len(closed) == 1 else 'are'} {len(closed)}{_since_text(current)}.")
        return not_enough_data_chart(kind=KIND, title=title, caption=caption, table=table)
    limits = g_limits([gap.babies for gap in closed])
    table = DataTable(HEADER, tuple(_row(index, gap, limits) for index, gap in enumerate(series, start=1)))
    above = sum(1 for gap in closed if gap.babies > limits.upper)
    caption = (f"g-chart of {title}: babies between one {breach_name} and the next, for "
               f"{plural(len(closed), breach_name, many)}, with the mean of {number(limits.centre)} babies and the "
               f"upper limit of {number(limits.upper)}; {_above_text(above)}{_since_text(current)}.")
    return make_chart(kind=KIND, title=title, caption=caption, table=table, size=(9.0, 4.0),
                      draw=lambda figure: _draw(figure, closed, current, limits, title, breach_name, many))


def _above_text(above: int) -> str:
    if above == 0:
        return "no gap is above the upper limit"
    return f"{plural(above, 'gap is', 'gaps are')} above the upper limit (unusually long without a breach)"


def _since_text(current: Gap | None) -> str:
    return "" if current is None else f"; {plural(current.babies, 'baby', 'babies')} since the latest one"


def _row(index: int, gap: Gap, limits: Limits | None) -> tuple[str, ...]:
    if gap.open:
        return ("Since the latest", "–", str(gap.babies), "Still counting")
    signal = "Above the upper limit" if limits is not None and gap.babies > limits.upper else ""
    return (str(index), f"{gap.ended:%d/%m/%Y}" if gap.ended else "–", str(gap.babies), signal)


def _draw(figure: Figure, closed: Sequence[Gap], current: Gap | None, limits: Limits, title: str,
          breach_name: str, many: str) -> None:
    axes = figure.subplots()
    xs = range(1, len(closed) + 1)
    axes.plot(list(xs), [gap.babies for gap in closed], "-o", color=NHS_BLUE, markersize=5, linewidth=1.2,
              zorder=3, label=f"Babies between {many}")
    above = [(x, gap.babies) for x, gap in zip(xs, closed, strict=True) if gap.babies > limits.upper]
    if above:
        axes.scatter([x for x, _ in above], [y for _, y in above], s=90, marker="D", facecolors="none",
                     edgecolors=NHS_GREEN, linewidths=1.6, zorder=4, label="Above the upper limit")
    if current is not None:
        axes.scatter([len(closed) + 1], [current.babies], s=50, facecolors="white", edgecolors=NHS_BLUE,
                     linewidths=1.5, zorder=4, label=f"Since the latest {breach_name} (still counting)")
    axes.axhline(limits.centre, color=NHS_DARK_GREY, linewidth=1.3, label=f"Mean {number(limits.centre)}")
    axes.axhline(limits.upper, color=NHS_DARK_GREY, linewidth=1.1, linestyle="--",
                 label=f"Upper limit {number(limits.upper)}")
    top = max([gap.babies for gap in closed] + [current.babies if current else 0, limits.upper])
    axes.set_ylim(0, top * 1.1 + 1)
    axes.set_xlim(0.5, len(closed) + 1.5)
    axes.set_xlabel(f"{many.capitalize()}, in order of birth")
    axes.set_ylabel("Babies since the one before")
    set_title(axes, title)
    legend_below(figure, axes)
