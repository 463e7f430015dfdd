"""KPI dashboards: network overview, unit and cooling-centre pages, funnel plot, run chart, drill-down to
cases, and the network lead's recompute with its progress bar.

Views only orchestrate (style-anchors §4.2): figures come from `kpis.dashboard` (stored aggregates only,
a constant number of queries), charts from `kpis.charts`, contributing cases through `pathway.access`
so a drill-down never shows a case the user could not open.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core import memo
from kpis import dashboard, services
from kpis.charts import Chart, FunnelPoint, ReferenceLine, RunPoint, funnel_plot, run_chart
from kpis.definitions.base import Level
from kpis.models import CaseOutcome, KpiRun
from kpis.overview import network_chart
from kpis.periods import PeriodType
from kpis.registry import REGISTRY
from pathway.access import cases_for
from units.access import Action, may
from units.models import Designation, Unit

LEVEL_TITLES = {Level.BIRTH_UNIT: "Birth unit", Level.COOLING_CENTRE: "Cooling centre", Level.NETWORK: "Network"}
OUTCOMES = {"met": "met the standard", "not_met": "did not meet the standard", "missing": "had data missing",
            "not_eligible": "were not eligible", "measured": "had the time recorded"}


# --- Shared context -------------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[str | None, dict[str, list[dashboard.PeriodChoice]]]:
    """The period asked for (if stored), else the newest rolling 12 months."""
    choices = dashboard.available_periods()
    stored = {c.key for kind in choices.values() for c in kind}
    wanted = request.GET.get("period", "")
    return (wanted if wanted in stored else dashboard.default_period(choices)), choices


def _base_context(request: HttpRequest, period: str | None,
                  choices: dict[str, list[dashboard.PeriodChoice]]) -> dict[str, Any]:
    return {
        "freshness": dashboard.freshness(),
        "period": period,
        "period_label": dashboard.choice_label(period, choices),
        "period_choices": [(PeriodType(kind).label, items) for kind, items in choices.items() if items],
        "may_recompute": may(request.user, Action.RECOMPUTE),
    }


def _definition_or_404(code: str) -> Any:
    try:
        return REGISTRY[code]
    except KeyError:
        raise Http404("No such KPI") from None


def _level_or_404(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise Http404("No such level") from None


# Charts are deterministic in their inputs, so the same figures are drawn once (per cache: core.memo).
@memo.by_arguments("kpis.chart.funnel")
def _funnel(points: tuple[FunnelPoint, ...], title: str, direction: str, target: float | None) -> Chart:
    return funnel_plot(points, title=title, direction=direction, target=target)


@memo.by_arguments("kpis.chart.run")
def _run(points: tuple[RunPoint, ...], title: str, percent: bool, label: str,
         reference: ReferenceLine | None, target: float | None) -> Chart:
    return run_chart(points, title=title, percent_scale=percent, value_label=label, reference=reference,
                     target=target)


# --- Network overview ----------------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    period, choices = _period(request)
    context = _base_context(request, period, choices)
    context["watched_run"] = _watched_run(request, context["freshness"])
    if period:
        lines = dashboard.org_lines(level=dashboard.NETWORK, org_code=dashboard.NETWORK, period_key=period)
        context.update(lines=lines, chart=network_chart(lines, context["period_label"]),
                       units=Unit.objects.exclude(designation=Designation.TRANSPORT).order_by("short_name"))
    return render(request, "kpis/overview.html", context)


def _watched_run(request: HttpRequest, freshness: dashboard.Freshness) -> KpiRun | None:
    """The run whose progress bar to show: the one just started here, or one still running."""
    pk = request.GET.get("run", "")
    if pk.isdigit():
        return KpiRun.objects.filter(pk=int(pk)).first()
    return freshness.running


# --- Unit and cooling-centre pages ----------------------------------------------------------------------------


def _org_page(request: HttpRequest, ods: str, level: Level) -> HttpResponse:
    unit = get_object_or_404(Unit, ods_code=ods.upper())
    if level == Level.COOLING_CENTRE and not unit.is_cooling_centre:
        raise Http404("Not a cooling centre")
    period, choices = _period(request)
    context = {**_base_context(request, period, choices), "unit": unit, "level": level,
               "level_title": LEVEL_TITLES[level]}
    if period:
        context["lines"] = dashboard.org_lines(level=level, org_code=unit.ods_code, period_key=period)
    return render(request, "kpis/org.html", context)


@login_required
@require_GET
def unit_page(request: HttpRequest, ods: str) -> HttpResponse:
    return _org_page(request, ods, Level.BIRTH_UNIT)


@login_required
@require_GET
def centre_page(request: HttpRequest, ods: str) -> HttpResponse:
    return _org_page(request, ods, Level.COOLING_CENTRE)


# --- Funnel plot ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def funnel(request: HttpRequest, code: str) -> HttpResponse:
    definition = _definition_or_404(code)
    if not dashboard.is_rate_kpi(code):
        raise Http404("A funnel plot needs a rate KPI")
    level = _level_or_404(request.GET.get("level", Level.BIRTH_UNIT))
    if level == Level.NETWORK:
        raise Http404("A funnel plot compares units")
    period, choices = _period(request)
    context = {**_base_context(request, period, choices), "definition": definition, "level": level,
               "level_title": LEVEL_TITLES[level], "levels": [Level.BIRTH_UNIT, Level.COOLING_CENTRE],
               "level_keep": {"level": level}}
    if period:
        rows = dashboard.unit_rows(code=code, level=level, period_key=period)
        points = tuple(FunnelPoint(r.org.short_name if r.org else r.org_code, r.numerator, r.denominator)
                       for r in rows)
        title = f"{definition.TITLE} by {LEVEL_TITLES[level].lower()}, {context['period_label']}"
        context.update(rows=rows, chart=_funnel(points, title, str(definition.DIRECTION), None))
    return render(request, "kpis/funnel.html", context)


# --- Run chart ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def run(request: HttpRequest, code: str) -> HttpResponse:
    definition = _definition_or_404(code)
    level = _level_or_404(request.GET.get("level", Level.NETWORK))
    org = dashboard.NETWORK if level == Level.NETWORK else request.GET.get("org", "").upper()
    unit = None if level == Level.NETWORK else get_object_or_404(Unit, ods_code=org)
    by = PeriodType.QUARTER if request.GET.get("by") == "quarter" else PeriodType.MONTH
    rows = dashboard.series(code=code, level=level, org_code=org, period_type=by)
    median = not dashboard.is_rate_kpi(code)
    points = tuple(RunPoint(r.period_key, r.median if median else r.rate, (r.n or 0) if median else r.denominator)
                   for r in rows)
    published = dashboard.PUBLISHED.get(code)
    reference = ReferenceLine("EoE baseline (pre-pathway)", published.baseline) if published else None
    where = unit.short_name if unit else "network"
    title = f"{definition.TITLE}, {where}, by {by.label.lower().replace('calendar ', '')}"
    chart = _run(points, title, not median, "Median (min)" if median else "Rate", reference,
                 published.year_2012 if published else None)
    return render(request, "kpis/run.html", {
        "freshness": dashboard.freshness(), "definition": definition, "level": level, "unit": unit, "org": org,
        "by": by, "chart": chart, "rows": rows, "published": published, "median": median,
    })


# --- Drill-down to cases --------------------------------------------------------------------------------------


@login_required
@require_GET
def contributing_cases(request: HttpRequest, code: str) -> HttpResponse:
    """The cases behind a figure that this user may see (never more than `pathway.access` allows)."""
    definition = _definition_or_404(code)
    level = _level_or_404(request.GET.get("level", Level.NETWORK))
    org = request.GET.get("org", dashboard.NETWORK).upper() if level != Level.NETWORK else dashboard.NETWORK
    outcomes = [o for o in request.GET.getlist("outcome") if o in OUTCOMES] or ["met", "not_met", "measured"]
    try:
        period = dashboard.stored_period(request.GET.get("period", ""))
    except ValueError:
        raise Http404("No such period") from None
    start, end = period.utc_bounds()
    cases = cases_for(request.user, Action.LIST).current().filter(
        birth_datetime__gte=start, birth_datetime__lt=end,
        pk__in=CaseOutcome.objects.filter(kpi=code, outcome__in=outcomes).values("case_id"))
    if level == Level.BIRTH_UNIT:
        cases = cases.filter(birth_unit__ods_code=org)
    elif level == Level.COOLING_CENTRE:
        cases = cases.filter(cooling_centre__ods_code=org)
    cases = cases.select_related("birth_unit", "cooling_centre").order_by("birth_datetime")
    page = Paginator(cases, settings.CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "kpis/cases.html", {
        "definition": definition, "level_title": LEVEL_TITLES[level], "org": org, "period": period,
        "period_label": dashboard.period_label(period), "outcome_text": ", ".join(OUTCOMES[o] for o in outcomes),
        "page": page, "freshness": dashboard.freshness(),
    })


# --- Recompute -----------------------------------------------------------------------------------------------


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.RECOMPUTE):
        raise PermissionDenied("Starting a recompute needs the network lead or administrator role")
    run_record = services.start_full_recompute(by=request.user)
    messages.info(request, "Recompute started. The figures refresh when it finishes.")
    return redirect(f"{reverse('kpis:overview')}?run={run_record.pk}")


@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run_record = get_object_or_404(KpiRun, pk=pk)
    return render(request, "kpis/partials/run_progress.html", {"run": run_record})
