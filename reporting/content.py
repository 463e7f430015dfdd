"""Everything a board report shows, as plain data: built live for a draft, stored whole when it is published.

The data (a JSON-able dict, FORMAT below) holds every figure as the words shown and the number behind them,
every chart's SVG, every impact input with its source, the fixed-layout figure rows, the definitions, and
which KPI run and definition versions the figures came from. The preview, PDF, spreadsheet and CSV are all
drawn from it (`reporting.render`), so a published report, which renders from its stored copy, shows the same
figures however the live data change afterwards.

Charts are the dashboards' own (`kpis.charts`, same inputs and titles), drawn once per set of figures
(`core.memo`). A report for sharing outside the network leaves the charts out: every point of a run chart or
funnel plot is a monthly or per-unit figure whose count is often small, and the funnel's axis *is* the count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.utils import timezone

from kpis import aims, dashboard, pagecharts
from kpis.charts import Chart, FunnelPoint
from kpis.definitions.base import Level
from kpis.models import KpiRun
from kpis.registry import REGISTRY
from pop.kpis import registry as pop_registry
from reporting import definitions, policy, sections
from reporting.figures import COLUMNS, FigureRow, Scope, figure_rows, layout_row, scope_for
from reporting.models import BoardReport, Section, all_sections
from reporting.periods import ReportPeriod

FORMAT = 1
# The neuroprotection KPIs the East of England project reported, plus the 6-hour start itself.
CHARTED = ("cooling_started_6h", "target_temp_6h", "core_monitoring_before_transfer", "overcooling_before_centre",
           "arrival_temp_in_range", "age_at_cooling_start_min")
Step = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def scope_of(report: BoardReport) -> Scope:
    return scope_for(report.level, report.org, report.area_code, report.period)


def build(report: BoardReport, *, step: Step = _quiet) -> dict[str, Any]:
    """The report's data from the live figures (a draft, or the moment of publishing)."""
    narrative = [[str(getattr(BoardReport._meta.get_field(f), "verbose_name", f)).capitalize(), getattr(report, f)]
                 for f in BoardReport.NARRATIVE_FIELDS if getattr(report, f).strip()]
    return build_for(scope_of(report), title=report.title, external=report.for_external,
                     chosen=report.sections, narrative=narrative, impact_from=report.impact_from, step=step)


def build_for(scope: Scope, *, title: str, external: bool, chosen: Sequence[str] | None = None,
              narrative: list[list[str]] | None = None, impact_from: date | None = None, with_charts: bool = True,
              step: Step = _quiet) -> dict[str, Any]:
    step("Collecting the figures")
    rules = policy.current() if external else None
    chosen = [s for s in all_sections() if s in (chosen or all_sections())]
    rows = figure_rows(scope, policy=rules)
    ctx = sections.Context(scope, rules, timezone.localdate(), rows, impact_from)
    built = [sections.BUILDERS[key](ctx) for key in chosen]
    if rules is not None:
        sections.note_marks(built, rules)
    freshness = dashboard.freshness()
    run = freshness.last_full
    step("Drawing the charts")
    drawn = charts(scope, rows) if with_charts and not external and Section.HIE in chosen else []
    pop_rows = next((s for s in built if s["key"] == "pop"), None)
    return {
        "format": FORMAT, "title": title, "scope": {"level": scope.level, "org_code": scope.org_code,
                                                    "code": scope.code, "name": scope.name,
                                                    "describe": scope.describe(),
                                                    "units": list(scope.units_covered or [])},
        "period": {"key": scope.period.key, "label": scope.period.label, "start": scope.period.start.isoformat(),
                   "end": scope.period.end.isoformat()},
        "external": external, "policy": rules.describe() if rules else [],
        "figures_as_of": freshness.as_of.isoformat() if freshness.as_of else None,
        "run": run.pk if run else None, "definition_versions": _versions(run),
        "built_at": timezone.now().isoformat(), "narrative": narrative or [], "sections": built,
        "charts": [{"title": c.title, "caption": c.caption, "svg": c.svg} for c in drawn],
        "layout": {"columns": list(COLUMNS), "rows": [layout_row(r, scope.period.label) for r in rows]},
        "definitions": _definitions(chosen),
        "has_pop": pop_rows is not None,
    }


def _versions(run: KpiRun | None) -> dict[str, int]:
    versions = dict(run.definition_versions) if run else {}
    versions.update(pop_registry.VERSIONS)
    return versions


def _definitions(chosen: Sequence[str]) -> list[list[str]]:
    codes = [*dashboard.ORDER, *(pop_registry.CODES if Section.POP in chosen else ())]
    out = []
    for code in codes:
        definition = REGISTRY.get(code)
        title = definition.TITLE if definition else pop_registry.TITLES[code]
        version = definition.VERSION if definition else pop_registry.VERSIONS[code]
        out.append([title, definitions.plain(code), str(version)])
    return out


# --- Charts: the dashboard's own (kpis.views.run / kpis.views.funnel) -------------------------------------------


def run_chart_for(code: str, scope: Scope) -> Chart:
    """kpis.views.run by month (the same SVG, `kpis.pagecharts`), up to the end of the report's period."""
    where = scope.org.short_name if scope.org else scope.name  # as the dashboards name the organisation
    return pagecharts.run_chart_for(code, level=scope.level, org_code=scope.org_code, where=where,
                                    until=scope.period.end, run_date=dashboard.freshness().run_date,
                                    aim=aims.current().get(code))


def _chart_period_label(period: ReportPeriod) -> str:
    """As the dashboards label a stored period, so a report's funnel plot is the dashboard's own."""
    if period.stored_key and period.kind.startswith("calendar"):
        return dashboard.period_label(dashboard.stored_period(period.stored_key))
    return period.label


def funnel_for(code: str, scope: Scope, rows: Sequence[FigureRow]) -> Chart:
    """kpis.views.funnel (the same SVG): the units at the report's level (birth units for a network report),
    from the report's own rows (a financial year may be added up from months)."""
    level = Level(scope.level) if scope.is_unit else Level.BIRTH_UNIT
    units = sorted((r for r in rows if r.kpi == code and r.level == level and r.aggregate is not None),
                   key=lambda r: r.org_code)
    points = tuple(FunnelPoint(r.org_name, r.aggregate.numerator, r.aggregate.denominator)  # type: ignore[union-attr]
                   for r in units)
    title = f"{REGISTRY[code].TITLE} by {pagecharts.LEVEL_TITLES[level].lower()}, {_chart_period_label(scope.period)}"
    return pagecharts.funnel_of_points(code, points, title=title, aim=aims.current().get(code))


def charts(scope: Scope, rows: Sequence[FigureRow]) -> list[Chart]:
    drawn: list[Chart] = []
    for code in CHARTED:
        drawn.append(run_chart_for(code, scope))
        if dashboard.is_rate_kpi(code) and not scope.is_unit:
            drawn.append(funnel_for(code, scope, rows))
    return drawn


def network_impact(period: ReportPeriod, impact_from: date | None) -> list[dict[str, Any]]:
    """The network's impact estimates for a period (the impact page), as a report shows them."""
    scope = Scope.deployment_network(period)
    ctx = sections.Context(scope, None, timezone.localdate(), [], impact_from)
    return sections.impact_section(ctx)["estimates"]
