"""Funnel plot of a proportion KPI across units (Spiegelhalter 2005).

Each unit is a point at (denominator, rate). Control limits around the target proportion p0 are **exact
binomial** limits at 95 % ("warning") and 99.8 % ("alarm"): a unit with k of n is above the 95 % limit when
P(X ≥ k) < 2.5 % for X ~ Binomial(n, p0), below it when P(X ≤ k) < 2.5 % (0.1 % each side for 99.8 %).
The limit lines are drawn as what those tests accept at each n (a step at small n), so a point is outside a
line exactly when it is flagged. Reference: D. J. Spiegelhalter, "Funnel plots for comparing institutional
performance", Statistics in Medicine 24 (2005) 1185–1202, which recommends exact binomial limits for
small n. The normal approximation p0 ± z · sqrt(p0 · (1 − p0) / n) (`funnel_limits`) was used at first; at the
handful of babies a unit sees it flagged "1 of 1" as significantly different from a network rate of 7 %,
which no clinician would accept. It is kept as the large-n check the exact limits converge to.

The target defaults to the overall network rate (Σ numerator ÷ Σ denominator over the plotted units).

Every point names its unit, rate and position when a pointer hovers over it (an SVG <title>), and the data
table lists every unit. Units in `highlight` (the viewer's own) are drawn larger with a black outline and
their name, and marked "(your unit)" in the table, so a consultant finds theirs at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from math import exp, lgamma, log, sqrt
from statistics import NormalDist
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from kpis.charts.base import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_GREEN,
    NHS_RED,
    NHS_WARM_YELLOW,
    Chart,
    DataTable,
    join_names,
    legend_below,
    make_chart,
    not_enough_data_chart,
    percent,
    plural,
    set_title,
)
from kpis.outcome import Direction

Z_95: Final = NormalDist().inv_cdf(0.975)  # 1.959964
Z_998: Final = NormalDist().inv_cdf(0.999)  # 3.090232
MIN_UNITS: Final = 2  # a funnel of one unit compares it only with itself
KIND: Final = "Funnel plot"
_CURVE_POINTS: Final = 60

HEADER: Final = ("Unit", "Met", "Eligible", "Rate", "Position")


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


class Position(Enum):
    WITHIN = "within"
    OUTSIDE_95 = "outside_95"
    OUTSIDE_998 = "outside_998"


def funnel_limits(p: float, n: float, z: float) -> tuple[float, float]:
    """(low, high) control limits for a proportion p over n cases at z (normal approximation, clipped)."""
    if not 0 <= p <= 1:
        raise ValueError(f"Need a proportion 0 ≤ p ≤ 1, got {p}")
    if n <= 0:
        raise ValueError(f"Need a positive number of cases, got {n}")
    half_width = z * sqrt(p * (1 - p) / n)
    return max(0.0, p - half_width), min(1.0, p + half_width)


# Two-sided levels and what each flags: a tail probability below half of (1 − level) on either side.
_TAILS: Final = ((0.002 / 2, Position.OUTSIDE_998), (0.05 / 2, Position.OUTSIDE_95))


def binomial_cdf(n: int, p: float) -> list[float]:
    """P(X ≤ k) for k = 0 … n, X ~ Binomial(n, p) (log-space terms, so large n neither under- nor overflows)."""
    if p <= 0 or p >= 1:
        return [1.0 if (p <= 0 or k == n) else 0.0 for k in range(n + 1)]
    log_p, log_q = log(p), log(1 - p)
    total, cdf = 0.0, []
    for k in range(n + 1):
        total += exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        cdf.append(min(1.0, total))
    return cdf


def position(point: FunnelPoint, target: float) -> Position:
    """Where the unit lies by the exact binomial tests at 99.8 % and 95 % (module docstring)."""
    if point.rate is None:
        raise ValueError(f"{point.label} has no eligible cases, so no position in the funnel")
    cdf = binomial_cdf(point.denominator, target)
    at_most = cdf[point.numerator]
    at_least = 1.0 - (cdf[point.numerator - 1] if point.numerator > 0 else 0.0)
    for tail, beyond in _TAILS:
        if at_most < tail or at_least < tail:
            return beyond
    return Position.WITHIN


def exact_limits(p: float, n: int, tail: float) -> tuple[float, float]:
    """(low, high): the lowest and highest rates of n babies that the tests at `tail` do not flag."""
    return _limits_from(binomial_cdf(n, p), n, tail)


def _limits_from(cdf: list[float], n: int, tail: float) -> tuple[float, float]:
    low = next(k for k in range(n + 1) if cdf[k] >= tail)
    high = max(k for k in range(n + 1) if 1.0 - (cdf[k - 1] if k > 0 else 0.0) >= tail)
    return low / n, high / n


def funnel_plot(points: Sequence[FunnelPoint], *, title: str, direction: Direction,
                target: float | None = None, highlight: frozenset[str] = frozenset(),
                aim: float | None = None) -> Chart:
    """Funnel plot of `points` around `target` (default: the network rate of the plotted units); the units
    labelled in `highlight` stand out, and `aim` (the network aim, a proportion) is drawn as a green line."""
    direction = Direction(direction)  # also accept the stored string, e.g. "higher"
    for point in points:
        if not 0 <= point.numerator <= point.denominator:
            raise ValueError(f"{point.label}: need 0 ≤ numerator ≤ denominator")
    plotted = [point for point in points if point.denominator > 0]
    if len(plotted) < MIN_UNITS:
        table = DataTable(HEADER, tuple(_row(point, None, direction, highlight) for point in points))
        caption = (f"Not enough data to draw a funnel plot of {title}: it needs at least {MIN_UNITS} units "
                   f"with eligible cases, and there {'is' if len(plotted) == 1 else 'are'} {len(plotted)}.")
        return not_enough_data_chart(kind=KIND, title=title, caption=caption, table=table)
    centre = target if target is not None else network_rate(plotted)
    centre_name = "Target" if target is not None else "Network rate"
    table = DataTable(HEADER, tuple(_row(point, centre, direction, highlight) for point in points))
    caption = _caption(plotted, title, centre, target, direction)
    groups = {where: [p for p in plotted if position(p, centre) is where] for where in Position}
    tips = {_gid(where): [_tooltip(p, centre, direction) for p in group] for where, group in groups.items() if group}
    return make_chart(kind=KIND, title=title, caption=caption, table=table, tooltips=tips, size=(7.0, 4.5),
                      draw=lambda figure: _draw(figure, groups, title, centre, centre_name, highlight, aim))


def _gid(where: Position) -> str:
    return f"funnel-{where.value}"


def _tooltip(point: FunnelPoint, centre: float, direction: Direction) -> str:
    rate = point.rate or 0.0
    where = _position_text(position(point, centre), rate > centre, direction)
    return f"{point.label}: {point.numerator} of {point.denominator} ({percent(rate)}), {where.lower()}"


def network_rate(points: Sequence[FunnelPoint]) -> float:
    return sum(point.numerator for point in points) / sum(point.denominator for point in points)


def _caption(plotted: Sequence[FunnelPoint], title: str, centre: float, target: float | None,
             direction: Direction) -> str:
    cases = sum(point.denominator for point in plotted)
    against = f"the target of {percent(centre)}" if target is not None else f"the network rate of {percent(centre)}"
    outliers = [point.label for point in plotted if position(point, centre) is Position.OUTSIDE_998]
    outlier_text = (f"{plural(len(outliers), 'unit is', 'units are')} outside the 99.8% limits "
                    f"({join_names(outliers)})" if outliers else "no unit is outside the 99.8% limits")
    return (f"Funnel plot of {title} for {plural(len(plotted), 'unit')} ({plural(cases, 'eligible case')}) "
            f"against {against} with 95% and 99.8% control limits; {_direction_text(direction)}; "
            f"{outlier_text}.")


def _direction_text(direction: Direction) -> str:
    if direction is Direction.MONITOR:
        return "monitored, with no better direction"
    return f"{direction.value} is better"


def _row(point: FunnelPoint, centre: float | None, direction: Direction,
         highlight: frozenset[str] = frozenset()) -> tuple[str, ...]:
    rate = point.rate
    label = f"{point.label} (your unit)" if point.label in highlight else point.label
    if rate is None or centre is None:
        where = "No eligible cases" if rate is None else "Not plotted"
        return (label, str(point.numerator), str(point.denominator), "–" if rate is None else percent(rate), where)
    return (label, str(point.numerator), str(point.denominator), percent(rate),
            _position_text(position(point, centre), rate > centre, direction))


def _position_text(where: Position, above: bool, direction: Direction) -> str:
    if where is Position.WITHIN:
        return "Within 95% limits"
    limit = "99.8%" if where is Position.OUTSIDE_998 else "95%"
    side = "Above" if above else "Below"
    if direction is Direction.MONITOR:
        return f"{side} {limit} limit"
    better = above == (direction is Direction.HIGHER)
    return f"{side} {limit} limit ({'better' if better else 'worse'})"


def _draw(figure: Figure, groups: dict[Position, list[FunnelPoint]], title: str, centre: float, centre_name: str,
          highlight: frozenset[str], aim: float | None) -> None:
    axes = figure.subplots()
    plotted = [point for group in groups.values() for point in group]
    largest = max(point.denominator for point in plotted)
    _draw_limits(axes, centre, f"{centre_name} {percent(centre)}", largest * 1.1)
    if aim is not None:
        axes.axhline(aim, color=NHS_GREEN, linestyle="--", linewidth=1.4, label=f"Network aim {percent(aim)}")
    for where, group in groups.items():
        if group:  # one collection per position: its points' titles are given in this order
            artist = axes.scatter([p.denominator for p in group], [p.rate or 0.0 for p in group], s=36,
                                  color=_COLOURS[where], edgecolors=NHS_DARK_GREY, linewidths=0.6, zorder=3,
                                  label=_legend_label(where))
            artist.set_gid(_gid(where))
    for point in plotted:
        if point.label in highlight or position(point, centre) is Position.OUTSIDE_998:
            _name(axes, point, own=point.label in highlight, outside=position(point, centre) is Position.OUTSIDE_998)
    _draw_highlight(axes, [point for point in plotted if point.label in highlight])
    axes.set_xlim(0, largest * 1.1)
    axes.set_ylim(-0.02, 1.02)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_xlabel("Eligible cases (denominator)")
    axes.set_ylabel("Rate")
    set_title(axes, title)
    legend_below(figure, axes)


_COLOURS = {Position.WITHIN: NHS_BLUE, Position.OUTSIDE_95: NHS_WARM_YELLOW, Position.OUTSIDE_998: NHS_RED}


def _name(axes: Axes, point: FunnelPoint, *, own: bool, outside: bool) -> None:
    """The unit's name beside its point: below it near the top of the plot, so it never meets the title."""
    high = (point.rate or 0.0) > _LABEL_BELOW_ABOVE
    axes.annotate(point.label, (point.denominator, point.rate), xytext=(7, -13 if high else 5),
                  textcoords="offset points", fontsize=9, fontweight="bold" if own else "normal",
                  color=NHS_RED if outside else NHS_BLACK, zorder=5)


_LABEL_BELOW_ABOVE: Final = 0.9


def _draw_highlight(axes: Axes, own: Sequence[FunnelPoint]) -> None:
    """The viewer's units: a large black ring around their point."""
    if own:
        axes.scatter([point.denominator for point in own], [point.rate or 0.0 for point in own], s=150,
                     facecolors="none", edgecolors=NHS_BLACK, linewidths=2, zorder=4, label="Your units")


def _draw_limits(axes: Axes, centre: float, centre_label: str, right: float) -> None:
    """The exact limits at every n up to 60, then at 60 even steps (a step line: counts are whole babies)."""
    largest = max(1, int(right))
    sizes = sorted({*range(1, min(largest, _CURVE_POINTS) + 1),
                    *(round(1 + i * (largest - 1) / (_CURVE_POINTS - 1)) for i in range(_CURVE_POINTS))})
    axes.axhline(centre, color=NHS_DARK_GREY, linewidth=1.2, label=centre_label)
    cdfs = [binomial_cdf(n, centre) for n in sizes]  # once per n, for both levels
    for tail, style, name in ((0.05 / 2, "--", "95% limits"), (0.002 / 2, ":", "99.8% limits")):
        limits = [_limits_from(cdf, n, tail) for cdf, n in zip(cdfs, sizes, strict=True)]
        axes.step(sizes, [low for low, _ in limits], style, where="post", color=NHS_DARK_GREY, linewidth=1,
                  label=name)
        axes.step(sizes, [high for _, high in limits], style, where="post", color=NHS_DARK_GREY, linewidth=1)


def _legend_label(where: Position) -> str:
    return {Position.WITHIN: "Within 95% limits", Position.OUTSIDE_95: "Outside 95% limits",
            Position.OUTSIDE_998: "Outside 99.8% limits"}[where]
