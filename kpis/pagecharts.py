"""The dashboards' charts built from stored figures: one function per chart, shared by the pages, the board
report (the same SVG in both) and the KPI jobs, which draw them ahead (`kpis.overview.warm`).

Each draws through `core.memo.by_arguments`, so the same figures are drawn once whichever process asks; the
arguments are plain frozen dataclasses, numbers and strings. Charts read stored rows only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core import memo
from kpis import dashboard, ondemand, orgscope
from kpis.aims import Aim
from kpis.baselines import PUBLISHED
from kpis.charts import Chart, FunnelPoint, RateBar, ReferenceLine, RunPoint, funnel_plot, rate_bar_chart, run_chart
from kpis.charts.gchart import g_chart, gaps
from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from kpis.orgscope import OrgRef
from kpis.outcome import Direction
from kpis.periods import Period, PeriodType, month_period, months_between, quarter_period
from kpis.registry import REGISTRY
from kpis.versions import figures_version

LEVEL_TITLES = {Level.BIRTH_UNIT: "Birth unit", Level.COOLING_CENTRE: "Cooling centre", Level.NETWORK: "Network",
                Level.TRANSPORT: "Transport service"}
AIM_LABEL = "Network aim"
PATHWAY_AIM_LABEL = "Pathway aim"  # an organisation spanning networks (a region): the aims are set for the pathway


# --- Drawing, remembered by arguments ----------------------------------------------------------------------------


@memo.by_arguments("kpis.chart.run")
def _run(points: tuple[RunPoint, ...], title: str, percent: bool, label: str, reference: ReferenceLine | None,
         target: float | None, target_label: str = "Target") -> Chart:
    return run_chart(points, title=title, percent_scale=percent, value_label=label, reference=reference,
                     target=target, target_label=target_label)


@memo.by_arguments("kpis.chart.funnel")
def _funnel(points: tuple[FunnelPoint, ...], title: str, direction: str, highlight: frozenset[str],
            aim: float | None) -> Chart:
    return funnel_plot(points, title=title, direction=Direction(direction), highlight=highlight, aim=aim)


@memo.by_arguments("kpis.chart.bars")
def _bars(bars: tuple[RateBar, ...], title: str, aim_label: str = AIM_LABEL) -> Chart:
    return rate_bar_chart(bars, title=title, target_label=aim_label)


def _g(code: str, level: Level, org_code: str | None, title: str) -> Chart:
    """Remembered per version of the figures, not by its arguments: a network's series is every baby the KPI
    judged (tens of thousands at national scale), too many to key a cache by."""
    def draw() -> Chart:
        babies = ondemand.babies_in_order(code, level=level, org_code=org_code)
        return g_chart(gaps([baby.breach for baby in babies], [baby.born for baby in babies]), title=title,
                       breach_name="breach", breach_plural="breaches")

    # The title follows from the organisation (its name), so it need not be in the key (which must hold no space).
    return memo.remember(f"kpis.chart.g:{code}:{level}:{org_code}", figures_version(), draw)


# --- Run chart ------------------------------------------------------------------------------------------------


def run_chart_for(code: str, *, level: str, org_code: str, where: str, by: PeriodType = PeriodType.MONTH,
                  until: date | None = None, run_date: date | None = None, aim: Aim | None = None) -> Chart:
    """Every month (or quarter) from the first stored one to `until` (default: the run date, else the last
    stored), empty periods as gaps, the period the run date falls in marked not over yet, the published
    East of England 2012 figure and the network aim as lines."""
    definition = REGISTRY[code]
    rows = dashboard.series(code=code, level=level, org_code=org_code, period_type=by)
    median = not dashboard.is_rate_kpi(code)
    points = tuple(run_points(rows, by=by, until=until or run_date, run_date=run_date, median=median))
    published = PUBLISHED.get(code)
    unit = " (min)" if median else ""  # minutes are said on the lines' labels; a rate's % is in its value
    reference = ReferenceLine(f"East of England 2012{unit}", published.year_2012) if published else None
    title = f"{definition.TITLE}, {where}, by {'quarter' if by == PeriodType.QUARTER else 'month'}"
    return _run(points, title, not median, "Median (min)" if median else "Rate", reference,
                aim.target if aim else None, f"{AIM_LABEL}{unit}")


def run_points(rows: Sequence[KpiAggregate], *, by: PeriodType, until: date | None, run_date: date | None,
               median: bool) -> list[RunPoint]:
    """One point per month or quarter from the first row to `until` (or the last row): gaps where no baby
    was eligible, `partial` for the period holding the run date (not over when the figures were computed)."""
    if not rows:
        return []
    stored = {row.period_start: row for row in rows}
    last = until or rows[-1].period_end
    points = []
    for period in _periods(rows[0].period_start, last, by):
        if until is not None and period.start > until:
            break
        row = stored.get(period.start)
        partial = run_date is not None and period.start <= run_date < period.end
        points.append(_point(period, row, median, partial))
    return points


def _periods(first: date, last: date, by: PeriodType) -> list[Period]:
    if by == PeriodType.QUARTER:
        starts = [month for month in months_between(first, last) if month.month % 3 == 1]
        return [quarter_period(start.year, (start.month - 1) // 3 + 1) for start in starts]
    return [month_period(month) for month in months_between(first, last)]


def _point(period: Period, row: KpiAggregate | None, median: bool, partial: bool) -> RunPoint:
    if row is None:
        return RunPoint(period.key, None, 0, None if median else 0, 0, partial, period.start)
    value = row.median if median else row.rate
    n = (row.n or 0) if median else row.denominator
    return RunPoint(period.key, value, n, None if median else row.numerator, row.missing, partial, period.start)


# --- Funnel plot ------------------------------------------------------------------------------------------------


def funnel_points(rows: Sequence[KpiAggregate]) -> tuple[FunnelPoint, ...]:
    return tuple(FunnelPoint(unit_name(row), row.numerator, row.denominator) for row in rows)


def unit_name(row: KpiAggregate) -> str:
    return row.org.short_name if row.org else row.org_code


def funnel_chart_for(code: str, *, level: Level, period: Period, rows: Sequence[KpiAggregate],
                     highlight: frozenset[str] = frozenset(), aim: Aim | None = None, title: str = "") -> Chart:
    """Units at a level for one period; `highlight` holds the viewer's unit names."""
    title = title or f"{REGISTRY[code].TITLE} by {LEVEL_TITLES[level].lower()}, {period.label}"
    return funnel_of_points(code, funnel_points(rows), title=title, highlight=highlight, aim=aim)


def funnel_of_points(code: str, points: tuple[FunnelPoint, ...], *, title: str,
                     highlight: frozenset[str] = frozenset(), aim: Aim | None = None) -> Chart:
    """A funnel plot of points already counted (the board report's periods that are added up from months)."""
    return _funnel(points, title, str(REGISTRY[code].DIRECTION), highlight, aim.target if aim else None)


def pooled_funnel_for(code: str, *, level: Level, run_date: date, highlight: frozenset[str] = frozenset(),
                      aim: Aim | None = None) -> tuple[Chart, list[KpiAggregate]]:
    """The three years of births to the run date, pooled per unit (rare events need the numbers)."""
    period = ondemand.pooled_period(run_date)
    rows = [row for row in ondemand.figures(period, level=level) if row.kpi == code]
    title = (f"{REGISTRY[code].TITLE} by {LEVEL_TITLES[level].lower()}, three years to "
             f"{period.end:%-d %B %Y} pooled")
    return funnel_chart_for(code, level=level, period=period, rows=rows, highlight=highlight, aim=aim,
                            title=title), rows


# --- Network overview bars and babies since the last breach -----------------------------------------------------


def overview_chart(lines: Sequence[dashboard.KpiLine], period_label: str, org: OrgRef | None = None) -> Chart:
    """One bar per rate KPI of the organisation shown (`org`; None: "Network"), with the aim as its target where
    one is set, named for the organisation: "London region KPIs", and "Network aim" only where the organisation
    lies in one network (the aims are the networks' own, `kpis.aims`), else "Pathway aim"."""
    bars = tuple(RateBar(line.title, line.figure.row.numerator, line.figure.row.denominator,
                         line.aim.target if line.aim else None)
                 for line in lines if not line.is_median and line.figure is not None and not line.cohort)
    where, aim_label = _overview_names(org)
    return _bars(bars, f"{where} KPIs, {period_label}", aim_label)


def _overview_names(org: OrgRef | None) -> tuple[str, str]:
    """What the overview chart calls the organisation and its aim (see `overview_chart`)."""
    if org is None:
        return "Network", AIM_LABEL
    shape = orgscope.tree()
    name = shape.name(org)
    if org.level == Level.REGION and not name.lower().endswith("region"):
        name = f"{name} region"  # "London region", not "London" (which could be a network or an ICB)
    on = orgscope.today()
    networks = {path.network for ods in shape.units_in(org, on)
                if (path := shape.hierarchy.path(ods, on)) is not None}
    return name, AIM_LABEL if len(networks) <= 1 else PATHWAY_AIM_LABEL


def g_chart_for(code: str, *, level: Level, org_code: str | None, where: str) -> Chart:
    return _g(code, level, org_code, f"{REGISTRY[code].TITLE}: babies between breaches, {where}")


