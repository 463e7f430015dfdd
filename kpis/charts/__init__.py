"""Server-side SVG charts for dashboards and PDF reports (issue 3 item 5).

Each chart function takes plain dataclasses (never models) and returns a `Chart`: inline-able SVG, a
one-sentence caption with its n, and the data table that pages render under it
(`templates/kpis/partials/chart.html`).
"""

from kpis.charts.bars import RateBar, rate_bar_chart
from kpis.charts.base import Chart, DataTable
from kpis.charts.funnel import FunnelPoint, funnel_limits, funnel_plot
from kpis.charts.run import ReferenceLine, RunPoint, run_chart
from kpis.charts.run_rules import detect_shifts, detect_trends

__all__ = [
    "Chart",
    "DataTable",
    "FunnelPoint",
    "RateBar",
    "ReferenceLine",
    "RunPoint",
    "detect_shifts",
    "detect_trends",
    "funnel_limits",
    "funnel_plot",
    "rate_bar_chart",
    "run_chart",
]
