"""KPI dashboards: network overview, unit and cooling-centre pages, units side by side, funnel plot, run chart,
rare-event views, definitions, drill-down to cases, chart data as CSV, and the network lead's recompute.

Views only orchestrate (style-anchors §4.2): figures come from `kpis.dashboard` and `kpis.compare` (stored
aggregates only, a constant number of queries; a custom range counted from stored per-case outcomes by
`kpis.ondemand`), charts from `kpis.pagecharts`, contributing cases through `pathway.access` so a drill-down
never shows a case the user could not open. Every chart's data can be downloaded (`?format=csv`).
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
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import memo
from kpis import aims, compare, dashboard, downloads, explain, pagecharts, picker, services
from kpis import overview as network_overview
from kpis.charts import Chart
from kpis.definitions.base import Level
from kpis.models import CaseOutcome, KpiRun
from kpis.periods import Period, PeriodType
from kpis.registry import BREACHES, REGISTRY
from kpis.versions import page_version
from pathway import referrals
from pathway.access import cases_for
from pathway.models import Case
from units.access import NETWORK_WIDE_ROLES, Action, may, memberships
from units.models import Unit

LEVEL_TITLES = pagecharts.LEVEL_TITLES
OUTCOMES = {"met": "met the standard", "not_met": "did not meet the standard", "missing": "had data missing",
            "not_eligible": "were not eligible", "measured": "had the time recorded"}
_BREACH_CODES = frozenset(d.CODE for d in BREACHES)


# --- Shared context -------------------------------------------------------------------------------------------


def _base_context(request: HttpRequest, chosen: picker.Picker) -> dict[str, Any]:
    freshness = dashboard.freshness()
    return {
        "freshness": freshness, "picker": chosen, "period": chosen.key, "period_label": chosen.label,
        "previous_label": chosen.previous_label, "may_recompute": may(request.user, Action.RECOMPUTE),
        "run_date": freshness.run_date,
    }


def my_units(request: HttpRequest) -> frozenset[str]:
    """ODS codes of the units the user belongs to through a unit role (a network-wide role has no "own")."""
    return frozenset(m.unit.ods_code for m in memberships(request.user) if m.role not in NETWORK_WIDE_ROLES)


def _definition_or_404(code: str) -> Any:
    try:
        return REGISTRY[code]
    except KeyError:
        raise Http404("No such KPI") from None


def _level_or_404(value: str) -> Level:
    try:
        level = Level(value)
    except ValueError:
        raise Http404("No such level") from None
    if level == Level.TRANSPORT:
        # Transport-service figures are stored and exported (export_kpis, the API); no page compares them yet.
        raise Http404("No page for the transport level")
    return level


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _chart_csv(request: HttpRequest, chart: Chart, name: str) -> HttpResponse:
    return downloads.chart_csv(chart, name=name, user=request.user)


# --- Network overview ----------------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    version = page_version()  # one query; everything below is remembered under it (kpis.overview)
    chosen = picker.pick(request, version)
    context = _base_context(request, chosen)
    context["watched_run"] = _watched_run(request, context["freshness"])
    if chosen.period:
        if _wants_csv(request):
            page = network_overview.page(chosen.period, run_date=context["run_date"], version=version)
            return _chart_csv(request, page.chart, f"network-kpis-{chosen.period.key}")
        mine = my_units(request)
        context.update(body=network_overview.body_html(chosen.period, run_date=context["run_date"], version=version),
                       my_units=[m.unit for m in memberships(request.user) if m.unit.ods_code in mine],
                       referrals=_referral_counts(chosen.period, version), referrals_start=chosen.period.start,
                       referrals_end=chosen.period.end)
    return render(request, "kpis/overview.html", context)


def _referral_counts(period: Period, version: str) -> referrals.ReferralCounts:
    """Referrals, cooled and not cooled by reason in the network (issue 14), by UK date of the referral call.
    Counts, no patient data: every role sees them. One grouped query, remembered per version of the figures
    (every case write recomputes the figures, so the counts move with them)."""
    return memo.remember(f"kpis.referrals:{period.key}:{period.start}:{period.end}", version,
                         lambda: referrals.counts(referrals.in_dates(Case.objects.current(), period.start, period.end)))


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
    if level == Level.TRANSPORT and not unit.is_transport_service:
        raise Http404("Not a transport service")
    version = page_version()
    chosen = picker.pick(request, version)
    context = {**_base_context(request, chosen), "unit": unit, "level": level, "level_title": LEVEL_TITLES[level],
               "is_mine": unit.ods_code in my_units(request)}
    if chosen.period:
        period, when = chosen.period, context["run_date"]
        context["lines"] = memo.remember(
            f"kpis.page.org:{level}:{unit.ods_code}:{period.key}:{when}", version,
            lambda: dashboard.org_lines(level=level, org_code=unit.ods_code, period_key=period.key,
                                        aims=aims.current(), cohorts_as_of=when))
    return render(request, "kpis/org.html", context)


@login_required
@require_GET
def unit_page(request: HttpRequest, ods: str) -> HttpResponse:
    return _org_page(request, ods, Level.BIRTH_UNIT)


@login_required
@require_GET
def centre_page(request: HttpRequest, ods: str) -> HttpResponse:
    return _org_page(request, ods, Level.COOLING_CENTRE)


@login_required
@require_GET
def transport_page(request: HttpRequest, ods: str) -> HttpResponse:
    """A transport service's figures (kpis.md v2 level `transport`): the babies it moved."""
    return _org_page(request, ods, Level.TRANSPORT)


# --- Units side by side ---------------------------------------------------------------------------------------


@login_required
@require_GET
def compare_units(request: HttpRequest) -> HttpResponse:
    level = _level_or_404(request.GET.get("level", Level.BIRTH_UNIT))
    if level == Level.NETWORK:
        raise Http404("The comparison is of units")
    groups = compare.groups()
    group = next((g for g in groups if g.slug == request.GET.get("group")), groups[0])
    version = page_version()
    chosen = picker.pick(request, version)
    context = {**_base_context(request, chosen), "level": level, "level_title": LEVEL_TITLES[level],
               "levels": [Level.BIRTH_UNIT, Level.COOLING_CENTRE], "groups": groups, "group": group,
               "keep": {"level": level, "group": group.slug}}
    if chosen.period:
        period, when = chosen.period, context["run_date"]
        everyone = memo.remember(f"kpis.page.compare:{level}:{group.slug}:{period.key}:{when}", version,
                                 lambda: compare.comparison(level=level, period=period, group=group, mine=(),
                                                            run_date=when))
        table = compare.mine_first(everyone, my_units(request))
        if _wants_csv(request):
            header, rows = compare.csv_rows(table)
            return downloads.csv_response(header, rows, name=f"units-{group.slug}-{chosen.period.key}",
                                          user=request.user, what=f"Units compared, {group.title}, {chosen.label}")
        context["table"] = table
    return render(request, "kpis/compare.html", context)


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
    chosen = picker.pick(request)
    context = {**_base_context(request, chosen), "definition": definition, "level": level,
               "level_title": LEVEL_TITLES[level], "levels": [Level.BIRTH_UNIT, Level.COOLING_CENTRE],
               "keep": {"level": level}, "explanation": explain.BY_CODE[code], "aim": aims.current().get(code)}
    if chosen.period:
        rows = dashboard.unit_rows_for(code=code, level=level, period=chosen.period)
        chart = pagecharts.funnel_chart_for(code, level=level, period=chosen.period, rows=rows,
                                            highlight=_names(rows, my_units(request)), aim=context["aim"])
        if _wants_csv(request):
            return _chart_csv(request, chart, f"{code}-{level}-{chosen.period.key}")
        context.update(rows=rows, chart=chart)
    return render(request, "kpis/funnel.html", context)


def _names(rows: list[Any], ods_codes: frozenset[str]) -> frozenset[str]:
    """The chart labels of the viewer's units among the rows."""
    return frozenset(pagecharts.unit_name(row) for row in rows if row.org_code in ods_codes)


# --- Run chart ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def run(request: HttpRequest, code: str) -> HttpResponse:
    definition = _definition_or_404(code)
    level = _level_or_404(request.GET.get("level", Level.NETWORK))
    org = dashboard.NETWORK if level == Level.NETWORK else request.GET.get("org", "").upper()
    unit = None if level == Level.NETWORK else get_object_or_404(Unit, ods_code=org)
    by = PeriodType.QUARTER if request.GET.get("by") == "quarter" else PeriodType.MONTH
    freshness = dashboard.freshness()
    aim = aims.current().get(code)
    chart = pagecharts.run_chart_for(code, level=level, org_code=org, where=unit.short_name if unit else "network",
                                     by=by, run_date=freshness.run_date, aim=aim)
    if _wants_csv(request):
        return _chart_csv(request, chart, f"{code}-{org}-by-{by}")
    return render(request, "kpis/run.html", {
        "freshness": freshness, "definition": definition, "level": level, "unit": unit, "org": org, "by": by,
        "chart": chart, "published": dashboard.PUBLISHED.get(code), "median": not dashboard.is_rate_kpi(code),
        "explanation": explain.BY_CODE[code], "aim": aim, "has_breach_view": code in _BREACH_CODES,
    })


# --- Rare events: babies since the last breach, three years pooled ----------------------------------------------


@login_required
@require_GET
def breaches(request: HttpRequest, code: str) -> HttpResponse:
    definition = _definition_or_404(code)
    if code not in _BREACH_CODES:
        raise Http404("Only breaches of the time-critical standards have this view")
    level = _level_or_404(request.GET.get("level", Level.NETWORK))
    org = None if level == Level.NETWORK else request.GET.get("org", "").upper()
    unit = get_object_or_404(Unit, ods_code=org) if org else None
    freshness = dashboard.freshness()
    when = freshness.run_date or timezone.localdate()
    aim = aims.current().get(code)
    g_chart = pagecharts.g_chart_for(code, level=level, org_code=org, where=unit.short_name if unit else "network")
    pooled_level = Level.COOLING_CENTRE if level == Level.COOLING_CENTRE else Level.BIRTH_UNIT
    pooled, rows = pagecharts.pooled_funnel_for(code, level=pooled_level, run_date=when, aim=aim,
                                                highlight=_unit_names(my_units(request)))
    if _wants_csv(request):
        chart = pooled if request.GET.get("chart") == "funnel" else g_chart
        return _chart_csv(request, chart, f"{code}-{'three-years' if chart is pooled else 'between-breaches'}")
    return render(request, "kpis/breaches.html", {
        "freshness": freshness, "definition": definition, "explanation": explain.BY_CODE[code], "level": level,
        "unit": unit, "org": org or dashboard.NETWORK, "g_chart": g_chart, "pooled": pooled, "rows": rows,
        "pooled_level_title": LEVEL_TITLES[pooled_level], "aim": aim,
    })


def _unit_names(ods_codes: frozenset[str]) -> frozenset[str]:
    """The chart labels (short names) of these units (one query, none without units)."""
    if not ods_codes:
        return frozenset()
    return frozenset(Unit.objects.filter(ods_code__in=ods_codes).values_list("short_name", flat=True))


# --- Definitions ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def definitions(request: HttpRequest) -> HttpResponse:
    return render(request, "kpis/definitions.html", {
        "explanations": explain.ALL, "conventions": explain.CONVENTIONS, "aims": aims.current(),
        "freshness": dashboard.freshness(),
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
    # Outside direct care: a family's national data opt-out leaves at once, before the next run replaces outcomes.
    cases = cases_for(request.user, Action.LIST).outside_direct_care().filter(
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
        "period_label": period.label, "outcome_text": ", ".join(OUTCOMES[o] for o in outcomes),
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
