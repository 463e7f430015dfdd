"""Everything a board report shows, built once and rendered as the HTML preview, the PDF, XLSX and CSV.

Reads stored figures only (`kpis.dashboard`, `KpiAggregate`); charts come from the same `kpis.charts`
functions with the same inputs and titles as the dashboard pages, so the SVG in the PDF is the one the
dashboard shows. A report for sharing outside the network leaves the charts out: every point of a run
chart or funnel plot is a monthly or per-unit figure whose count is often below the threshold, and the
funnel's horizontal axis *is* the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from kpis import aims, dashboard, pagecharts
from kpis.charts import Chart
from kpis.dashboard import NETWORK
from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from reporting import impact, suppression
from reporting.figures import FigureRow, Scope, figure_rows
from reporting.models import BoardReport
from reporting.national import NATIONAL, NationalFigure

# The neuroprotection KPIs the EoE project reported (domain.md §4.2, H2–H7), plus the 6-hour start itself.
CHARTED = ("cooling_started_6h", "target_temp_6h", "core_monitoring_before_transfer", "overcooling_before_centre",
           "arrival_temp_in_range", "age_at_cooling_start_min")
LEVEL_TITLES = {Level.BIRTH_UNIT: "Birth unit", Level.COOLING_CENTRE: "Cooling centre", Level.NETWORK: "Network"}
WITHHELD = "Not shown (small numbers)"


@dataclass(frozen=True)
class ReportLine:
    """One KPI in the report's table: the scope's figure beside the network, published and national ones."""

    kpi: dashboard.KpiLine
    own: FigureRow
    network: FigureRow | None
    national: NationalFigure | None

    @property
    def result(self) -> str:
        if self.kpi.figure is None:
            return "No babies in this period"
        return WITHHELD if self.own.derived_hidden else self.kpi.figure.text

    @property
    def interval(self) -> str:
        interval = self.own.interval
        return f"{interval[0]:.0%}–{interval[1]:.0%}" if interval else ""

    @property
    def counts(self) -> str:
        """"12 of 15" for a rate; the n for a median."""
        if self.own.aggregate is None:
            return ""
        if self.own.is_median:
            return self.own.shown("n")
        return f"{self.own.shown('numerator')} of {self.own.shown('denominator')}"

    @property
    def network_text(self) -> str:
        if self.network is None or self.kpi.network is None:
            return ""
        return WITHHELD if self.network.derived_hidden else self.kpi.network.text

    @property
    def trend_text(self) -> str:
        trend = self.kpi.trend
        # A change in rate over a suppressed count can give the count back.
        return "" if trend is None or self.own.derived_hidden or self.own.hidden else trend.text


@dataclass(frozen=True)
class CompletenessLine:
    title: str
    row: FigureRow

    @property
    def missing(self) -> str:
        return self.row.shown("missing") if self.row.aggregate else ""

    @property
    def recorded(self) -> str:
        """Babies in the KPI's cohort with the data to decide it (its n)."""
        if self.row.aggregate is None:
            return ""
        return self.row.shown("n" if self.row.is_median else "denominator")

    @property
    def percent_missing(self) -> str:
        row = self.row
        if row.aggregate is None or row.hidden & {"missing", "n", "denominator", "numerator", "not_met"}:
            return ""
        recorded = (row.aggregate.n or 0) if row.is_median else row.aggregate.denominator
        total = recorded + row.aggregate.missing
        return f"{row.aggregate.missing / total:.0%}" if total else ""


@dataclass(frozen=True)
class EstimateView:
    estimate: impact.Estimate
    withheld: bool  # counts below the threshold in a report for outside the network


@dataclass
class ReportContent:
    title: str
    scope: Scope
    period_label: str
    external: bool
    threshold: int
    generated_at: datetime
    data_as_of: datetime | None
    narrative: list[tuple[str, str]]
    lines: list[ReportLine]
    charts: list[Chart]
    estimates: list[EstimateView]
    completeness: list[CompletenessLine]
    rows: list[FigureRow]


def period_label(key: str) -> str:
    """As the dashboards label it (a stored run-date window ends mid-month)."""
    return dashboard.period_label(dashboard.stored_period(key))


def scope_of(report: BoardReport) -> Scope:
    return Scope(level=report.level, org=report.org, period_key=report.period_key)


def build(report: BoardReport) -> ReportContent:
    return build_for(scope_of(report), title=report.title, external=report.for_external,
                     narrative=[(BoardReport._meta.get_field(f).verbose_name.capitalize(), getattr(report, f))
                                for f in BoardReport.NARRATIVE_FIELDS if getattr(report, f).strip()])


def build_for(scope: Scope, *, title: str, external: bool, narrative: list[tuple[str, str]] | None = None,
              with_charts: bool = True) -> ReportContent:
    rows = figure_rows(scope, external=external)
    own = {r.kpi: r for r in rows if (r.level, r.org_code) == (scope.level, scope.org_code)}
    network = {r.kpi: r for r in rows if r.level == Level.NETWORK}
    kpi_lines = dashboard.org_lines(level=scope.level, org_code=scope.org_code, period_key=scope.period_key)
    lines = [ReportLine(line, own[line.code], network.get(line.code) if scope.level != Level.NETWORK else None,
                        NATIONAL.get(line.code)) for line in kpi_lines]
    return ReportContent(
        title=title, scope=scope, period_label=period_label(scope.period_key), external=external,
        threshold=settings.SMALL_NUMBER_THRESHOLD, generated_at=timezone.now(),
        data_as_of=dashboard.freshness().as_of, narrative=narrative or [], lines=lines,
        charts=charts(scope) if with_charts and not external else [],
        estimates=estimates(scope, external=external),
        completeness=[CompletenessLine(line.kpi.title, line.own) for line in lines], rows=rows)


# --- Charts: the dashboard's own (kpis.views.run / kpis.views.funnel) -------------------------------------------


def run_chart_for(code: str, scope: Scope) -> Chart:
    """kpis.views.run by month (the same SVG, `kpis.pagecharts`), up to the end of the report's period."""
    end = dashboard.stored_period(scope.period_key).end
    where = scope.org.short_name if scope.org else "network"
    return pagecharts.run_chart_for(code, level=scope.level, org_code=scope.org_code, where=where, until=end,
                                    run_date=dashboard.freshness().run_date, aim=aims.current().get(code))


def funnel_for(code: str, scope: Scope) -> Chart:
    """kpis.views.funnel (the same SVG): units at the report's level (birth units for a network report)."""
    level = Level.BIRTH_UNIT if scope.level == Level.NETWORK else Level(scope.level)
    rows = dashboard.unit_rows(code=code, level=level, period_key=scope.period_key)
    return pagecharts.funnel_chart_for(code, level=level, period=dashboard.stored_period(scope.period_key),
                                       rows=rows, aim=aims.current().get(code))


def charts(scope: Scope) -> list[Chart]:
    drawn: list[Chart] = []
    for code in CHARTED:
        drawn.append(run_chart_for(code, scope))
        if dashboard.is_rate_kpi(code):
            drawn.append(funnel_for(code, scope))
    return drawn


# --- Impact estimates ----------------------------------------------------------------------------------------


def estimates(scope: Scope, *, external: bool) -> list[EstimateView]:
    inputs = impact.current_inputs()
    stored = {a.kpi: (a.numerator, a.denominator) for a in KpiAggregate.objects.filter(
        kpi__in=[s.kpi for s in impact.SPECS], level=scope.level, org_code=scope.org_code or NETWORK,
        period_key=scope.period_key)}
    views = []
    for spec in impact.SPECS:
        counts = stored.get(spec.kpi)
        small = counts is not None and any(suppression.is_small(c, settings.SMALL_NUMBER_THRESHOLD)
                                           for c in (counts[0], counts[1] - counts[0]))
        views.append(EstimateView(impact.estimate(spec, counts, inputs), withheld=external and small))
    return views
