"""The network overview's chart, shared by the page and by the KPI jobs, which draw it ahead.

A run changes the figures, and the first person to open /kpis/ afterwards would wait for matplotlib (about
0.1–0.3 s). `warm()` draws the default period's chart as the job finishes, into the cache that the page
reads (`core.memo`; with a shared CACHE_URL the web processes find it there). Off with KPIS_WARM_CHARTS=false.
"""

from __future__ import annotations

from django.conf import settings

from core import memo
from kpis import dashboard
from kpis.charts import Chart, RateBar, rate_bar_chart


@memo.by_arguments("kpis.chart.bars")
def bar_chart(bars: tuple[RateBar, ...], title: str) -> Chart:
    return rate_bar_chart(bars, title=title)


def network_chart(lines: list[dashboard.KpiLine], period_label: str) -> Chart:
    """One bar per rate KPI of the network, with the published 2012 figure as its target."""
    bars = tuple(RateBar(line.title, line.figure.row.numerator, line.figure.row.denominator,
                         line.published.year_2012 if line.published else None)
                 for line in lines if not line.is_median and line.figure is not None)
    return bar_chart(bars, f"Network KPIs, {period_label}")


def warm() -> bool:
    """Draw the overview chart of the default period (what /kpis/ opens on); False when there is none."""
    if not settings.KPIS_WARM_CHARTS:
        return False
    choices = dashboard.available_periods()
    period = dashboard.default_period(choices)
    if period is None:
        return False
    lines = dashboard.org_lines(level=dashboard.NETWORK, org_code=dashboard.NETWORK, period_key=period)
    network_chart(lines, dashboard.choice_label(period, choices))
    return True
