"""Network overview: one horizontal bar per KPI rate, with its 95 % Wilson score interval and target.

Intervals come from `kpis.wilson.wilson_interval` (kpis.md "Conventions"). A KPI with no eligible cases
keeps its row, labelled "No eligible cases", so the chart and its table list the same KPIs in order.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from matplotlib.ticker import PercentFormatter

from kpis.charts.base import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_GREEN,
    Chart,
    DataTable,
    legend_below,
    make_chart,
    not_enough_data_chart,
    percent,
    plural,
)
from kpis.wilson import wilson_interval

KIND: Final = "Bar chart"
HEADER: Final = ("KPI", "Met", "Eligible", "Rate", "95% interval", "Target")


@dataclass(frozen=True)
class RateBar:
    label: str
    numerator: int
    denominator: int
    target: float | None = None  # a proportion in [0, 1]

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def rate_bar_chart(bars: Sequence[RateBar], *, title: str, target_label: str = "Target") -> Chart:
    """One bar per KPI, first at the top, with 95 % Wilson intervals and target markers named
    `target_label` (e.g. "Network aim") in the legend, the data table and the caption."""
    for bar in bars:
        if not 0 <= bar.numerator <= bar.denominator:
            raise ValueError(f"{bar.label}: need 0 ≤ numerator ≤ denominator")
    table = DataTable((*HEADER[:-1], target_label), tuple(_row(bar) for bar in bars))
    denominators = [bar.denominator for bar in bars if bar.denominator > 0]
    if not denominators:
        caption = f"Not enough data to draw a bar chart of {title}: no KPI has eligible cases."
        return not_enough_data_chart(kind=KIND, title=title, caption=caption, table=table)
    spread = (plural(denominators[0], "eligible case") if min(denominators) == max(denominators)
              else f"{min(denominators)} to {max(denominators)} eligible cases each")
    targets = (f" and {target_label.lower()}s where set" if any(bar.target is not None for bar in bars) else "")
    caption = (f"Bar chart of {title}: the rate for each of {plural(len(bars), 'KPI')} ({spread}) with its "
               f"95% Wilson score interval{targets}.")
    return make_chart(kind=KIND, title=title, caption=caption, table=table,
                      draw=lambda figure: _draw(figure, bars, title, target_label),
                      size=(8.0, 1.4 + 0.42 * len(bars)))


def _row(bar: RateBar) -> tuple[str, ...]:
    target = "–" if bar.target is None else percent(bar.target)
    interval = wilson_interval(bar.numerator, bar.denominator)
    if bar.rate is None or interval is None:
        return (bar.label, str(bar.numerator), str(bar.denominator), "No eligible cases", "–", target)
    low, high = interval
    return (bar.label, str(bar.numerator), str(bar.denominator), percent(bar.rate),
            f"{percent(low)} to {percent(high)}", target)


def _draw(figure: Figure, bars: Sequence[RateBar], title: str, target_label: str) -> None:
    axes = figure.subplots()
    rows = range(len(bars))
    rates = [bar.rate or 0.0 for bar in bars]
    axes.barh(rows, rates, height=0.6, color=NHS_BLUE, label="Rate")
    _draw_intervals(axes, bars)
    _draw_targets(axes, bars, target_label)
    for row, bar in zip(rows, bars, strict=True):
        if bar.rate is None:
            axes.text(0.01, row, "No eligible cases", va="center", fontsize=8, color=NHS_DARK_GREY)
    axes.tick_params(axis="y", length=0)
    axes.set_yticks(rows, [bar.label for bar in bars])
    axes.invert_yaxis()  # first KPI at the top, as in the table
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    # Over the whole figure, from its left edge: the KPI names take half of it, and an organisation's name
    # ("NHS South East London Integrated Care Board KPIs, ...") would run past the right edge above the bars.
    figure.suptitle("\n".join(textwrap.wrap(title, int(figure.get_figwidth() * 12))), x=0.01,
                    horizontalalignment="left", fontsize=11)
    legend_below(figure, axes)


def _draw_intervals(axes: Axes, bars: Sequence[RateBar]) -> None:
    rows: list[int] = []
    rates: list[float] = []
    below: list[float] = []
    above: list[float] = []
    for row, bar in enumerate(bars):
        interval = wilson_interval(bar.numerator, bar.denominator)
        if bar.rate is None or interval is None:
            continue
        rows.append(row)
        rates.append(bar.rate)
        below.append(bar.rate - interval[0])
        above.append(interval[1] - bar.rate)
    # Black with a white halo, so the interval reads both over the blue bar and over the background.
    lines = axes.errorbar(rates, rows, xerr=[below, above], fmt="none", ecolor=NHS_BLACK, elinewidth=1.5,
                          capsize=4, capthick=1.5, zorder=3, label="95% interval")
    for artist in lines.get_children():
        artist.set_path_effects([withStroke(linewidth=3.5, foreground="white")])


def _draw_targets(axes: Axes, bars: Sequence[RateBar], label: str) -> None:
    targeted = [(row, bar.target) for row, bar in enumerate(bars) if bar.target is not None]
    if targeted:
        axes.scatter([target for _, target in targeted], [row for row, _ in targeted], marker="|", s=300,
                     linewidths=2.5, color=NHS_GREEN, zorder=4, label=label)
