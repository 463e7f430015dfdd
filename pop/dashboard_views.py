"""The POP dashboard: each unit against the network and the national comparators, with a funnel plot of the
units and a run chart over time. Figures come from `pop.dashboard` (stored rows only, a constant number of
queries) and charts from `kpis.charts`.

Issue 18: the organisation shown may be a unit or any organisation above it (trust, LMNS, ICB, network,
region; `?unit=trust:RGT`, a bare ODS code for a unit, `network` for the viewer's own network), among those
with figures in the period that the viewer may see (`kpis.orgscope`); the network beside is the viewer's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import memo
from kpis import downloads, orgscope
from kpis.charts import Chart, FunnelPoint, ReferenceLine, RunPoint, funnel_plot, run_chart
from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from kpis.outcome import Direction
from kpis.periods import PeriodType
from pop import dashboard, explain
from pop.kpis import registry
from pop.models import NationalComparator

TREND_TYPES = {PeriodType.MONTH.value: "By month", PeriodType.QUARTER.value: "By quarter"}
# What `?format=csv&table=…` downloads: the figures table or one chart's data.
CSV_TABLES = ("figures", "funnel", "run")


@memo.by_arguments("pop.chart.funnel")
def _funnel(points: tuple[FunnelPoint, ...], title: str) -> Chart:
    return funnel_plot(points, title=title, direction=Direction.HIGHER)


@memo.by_arguments("pop.chart.run")
def _run(points: tuple[RunPoint, ...], title: str, reference: ReferenceLine | None) -> Chart:
    return run_chart(points, title=title, reference=reference)


def _reference(comparator: NationalComparator | None) -> ReferenceLine | None:
    if comparator is None:
        return None
    return ReferenceLine(f"National {comparator.value_percent} % ({comparator.source}, {comparator.year})",
                         comparator.proportion)


def _funnel_chart(rows: list[KpiAggregate], code: str, period_label: str) -> Chart:
    points = tuple(FunnelPoint(r.org.short_name if r.org else r.org_code, r.numerator, r.denominator)
                   for r in dashboard.unit_rows(rows, code))
    return _funnel(points, f"{registry.TITLES[code]}, {period_label}")


def _run_chart(code: str, org: orgscope.OrgRef, org_name: str, trend: str,
               comparator: NationalComparator | None) -> Chart:
    points = tuple(RunPoint(r.period_key, r.rate, r.denominator)
                   for r in dashboard.series(code=code, level=org.level, org_code=org.code, period_type=trend))
    return _run(points, f"{registry.TITLES[code]}, {org_name}, {TREND_TYPES[trend].lower()}", _reference(comparator))


def _choice(request: HttpRequest, name: str, allowed: list[str] | dict[str, str], default: str) -> str:
    wanted = request.GET.get(name, "")
    return wanted if wanted in allowed else default


def _organisations(request: HttpRequest, rows: list[KpiAggregate], tree: orgscope.Tree) -> list[tuple[str, str]]:
    """(choice value, name) of the organisations with figures in the period that the viewer may see, widest
    level first (the unit picker: units by ODS code, the others as "level:code")."""
    seen = orgscope.Seen(request.user, tree, orgscope.today())
    found: dict[orgscope.OrgRef, str] = {}
    for r in rows:
        ref = orgscope.OrgRef(Level(r.level), r.org_code)
        if ref not in found and seen.allows(ref):
            found[ref] = tree.name(ref)
    ordered = sorted(found.items(), key=lambda item: (orgscope.DRILL_ORDER.index(item[0].level), item[1]))
    return [(orgscope.choice_value(ref), orgscope.label(ref, name)) for ref, name in ordered]


@login_required
@require_GET
def pop_dashboard(request: HttpRequest) -> HttpResponse:
    periods = dashboard.stored_periods()
    stored = [key for keys in periods.values() for key in keys]
    period = _choice(request, "period", stored, dashboard.default_period(periods) or "")
    context: dict[str, Any] = {
        "freshness": dashboard.freshness(), "period": period,
        "period_choices": [(PeriodType(kind).label, [(k, dashboard.period_label(k)) for k in keys])
                           for kind, keys in periods.items() if keys],
        "kpi_choices": list(registry.TITLES.items()), "trend_choices": list(TREND_TYPES.items()),
    }
    if not period:
        return render(request, "pop/dashboard.html", context)
    rows = dashboard.period_rows(period)
    tree = orgscope.tree()
    units = _organisations(request, rows, tree)
    network = orgscope.home_network(request.user, tree)
    default = orgscope.choice_value(orgscope.OrgRef(Level.NETWORK, network))
    wanted = request.GET.get("unit", "")
    wanted = default if wanted == "network" else wanted
    org_value = wanted if wanted in dict(units) else default
    org = orgscope.parse_choice(org_value)
    code = _choice(request, "kpi", list(registry.TITLES), registry.SCORE.CODE)
    trend = _choice(request, "trend", TREND_TYPES, PeriodType.MONTH.value)
    national = dashboard.comparators()
    # The run date's rolling window ends on the run date, not the month end: label it from the stored rows.
    label = dashboard.period_label(period, end=rows[0].period_end if rows else None)
    org_name = tree.name(org)
    lines = dashboard.lines(rows, (org.level, org.code), network, national)
    if request.GET.get("format") == "csv":
        return _csv(request, _choice(request, "table", list(CSV_TABLES), "figures"), lines=lines, rows=rows,
                    code=code, org=org, org_name=org_name, period=period, label=label, trend=trend,
                    comparator=national.get(code))
    context.update(
        period_label=label, units=units, org=org_value, is_network=org.level == Level.NETWORK,
        org_name=org_name, kpi=code, trend=trend,
        kpi_title=registry.TITLES[code], lines=lines, explanations=explain.ALL,
        funnel=_funnel_chart(rows, code, label),
        run=_run_chart(code, org, org_name, trend, national.get(code)),
    )
    return render(request, "pop/dashboard.html", context)


def _csv(request: HttpRequest, table: str, *, lines: list[dashboard.Line], rows: list[KpiAggregate], code: str,
         org: orgscope.OrgRef, org_name: str, period: str, label: str, trend: str,
         comparator: NationalComparator | None) -> HttpResponse:
    """One table of the page as CSV (audited as an export by `kpis.downloads`): only the one asked for is drawn."""
    if table == "funnel":
        return downloads.chart_csv(_funnel_chart(rows, code, label), name=f"pop-{code}-units-{period}",
                                   user=request.user)
    if table == "run":
        return downloads.chart_csv(_run_chart(code, org, org_name, trend, comparator),
                                   name=f"pop-{code}-{org.code}-by-{trend}", user=request.user)
    header, cells = dashboard.figures_csv(lines, org_name)
    return downloads.csv_response(header, cells, name=f"pop-{org.code}-{period}", user=request.user,
                                  what=f"POP measures, {org_name}, {label}")
