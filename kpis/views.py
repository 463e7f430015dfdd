"""KPI dashboards: network overview, unit and cooling-centre pages, units side by side, funnel plot, run chart,
rare-event views, definitions, drill-down to cases, chart data as CSV, and the network lead's recompute.

Views only orchestrate (style-anchors §4.2): figures come from `kpis.dashboard` and `kpis.compare` (stored
aggregates only, a constant number of queries; a custom range counted from stored per-case outcomes by
`kpis.ondemand`), charts from `kpis.pagecharts`, contributing cases through `pathway.access` so a drill-down
never shows a case the user could not open. Every chart's data can be downloaded (`?format=csv`).
"""

from __future__ import annotations

from dataclasses import dataclass
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
from kpis import aims, compare, dashboard, downloads, explain, orgscope, pagecharts, picker, services
from kpis import overview as network_overview
from kpis.charts import Chart
from kpis.definitions.base import ROLLUP_LEVELS, Level
from kpis.models import CaseOutcome, KpiRun
from kpis.orgscope import OrgRef
from kpis.periods import Period, PeriodType
from kpis.registry import BREACHES, REGISTRY
from kpis.versions import page_version
from pathway import referrals
from pathway.access import cases_for
from pathway.models import Case
from units.access import Action, may, memberships
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
    """ODS codes of the units the user belongs to through a unit role (`orgscope.own_unit_codes`: a
    network-wide or regional role has no "own" unit)."""
    return orgscope.own_unit_codes(request.user)


def _rollup_or_404(request: HttpRequest, tree: orgscope.Tree) -> OrgRef:
    """The organisation above the unit that `?level=&org=` names (issue 18); the viewer's network without them."""
    level, _, code = request.GET.get("choice", "").partition(":")  # the picker's "level:code"
    if not code:
        level, code = request.GET.get("level", ""), request.GET.get("org", "")
    if not level:
        return orgscope.home_org(request.user, tree)
    try:
        ref = OrgRef(Level(level), code.upper())
    except ValueError:
        raise Http404("No such level") from None
    return _known_rollup_or_404(ref, tree)


def _known_rollup_or_404(ref: OrgRef, tree: orgscope.Tree) -> OrgRef:
    """`ref` when it is an organisation above the unit that the deployment holds; a 404 otherwise."""
    if ref.level not in ROLLUP_LEVELS or (ref.level, ref.code) not in tree.names:
        raise Http404("No such organisation")
    return ref


@dataclass(frozen=True)
class _Where:
    """The organisation a chart or drill-down is of: a unit (with its row) or any organisation above it."""

    level: Level
    org: str
    name: str
    unit: Unit | None


def _where_or_404(request: HttpRequest) -> _Where:
    """`?level=&org=`: a unit by ODS code, or an organisation above the unit by its code (issue 18); the
    viewer's network when the level is `network` and no code is given (as the pages linked before)."""
    level = _level_or_404(request.GET.get("level", Level.NETWORK))
    code = request.GET.get("org", "").upper()
    if level in ROLLUP_LEVELS:
        tree = orgscope.tree()
        code = code or (orgscope.home_network(request.user, tree) if level == Level.NETWORK else "")
        if (level, code) not in tree.names:
            raise Http404("No such organisation")
        return _Where(level, code, tree.name(OrgRef(level, code)), None)
    unit = get_object_or_404(Unit, ods_code=code)
    return _Where(level, code, unit.short_name, unit)


def _drill(request: HttpRequest, org: OrgRef, tree: orgscope.Tree, on: Any, period_key: str) -> dict[str, Any]:
    """The breadcrumb (wider organisations) and the drill-down (one level narrower) the viewer may see, and
    every organisation they may pick (issue 18: region → network → ICB / LMNS → trust → unit)."""
    seen = orgscope.Seen(request.user, tree, on)

    def link(ref: OrgRef) -> dict[str, str]:
        query = f"period={period_key}"
        if ref.level == Level.BIRTH_UNIT:
            url = reverse("kpis:unit", args=[ref.code])
        else:
            url, query = reverse("kpis:overview"), f"{query}&level={ref.level}&org={ref.code}"
        return {"url": f"{url}?{query}", "name": tree.name(ref), "level": ref.level_name, "code": ref.code}

    choices = [OrgRef(level, ref.code) for level in orgscope.DRILL_ORDER if level in ROLLUP_LEVELS
               for ref in tree.organisations(level, on)]
    children = [ref for ref in tree.children(org, on) if seen.allows(ref)]
    return {
        "crumbs": [link(ref) for ref in tree.parents(org, on) if seen.allows(ref)],
        "children": [link(ref) for ref in children],
        "child_levels": sorted({(ref.level.value, ref.level_name) for ref in children if ref.level in ROLLUP_LEVELS}),
        "org_choices": [{"value": f"{ref.level}:{ref.code}", "label": orgscope.label(ref, tree.name(ref)),
                         "selected": ref == org} for ref in choices if seen.allows(ref)],
    }


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
    """The figures of the viewer's network, or of any organisation above the unit (`?level=&org=`, issue 18),
    with the breadcrumb and drill-down; the table itself is the same for every viewer of that organisation."""
    version = page_version()  # one query; everything below is remembered under it (kpis.overview)
    chosen = picker.pick(request, version)
    context = _base_context(request, chosen)
    context["watched_run"] = _watched_run(request, context["freshness"])
    tree = orgscope.tree()
    org = _rollup_or_404(request, tree)
    context.update(org=org, org_name=tree.name(org), level_name=org.level_name,
                   keep={"level": org.level, "org": org.code})
    if chosen.period:
        if _wants_csv(request):
            page = network_overview.page(chosen.period, org=org, run_date=context["run_date"], version=version)
            return _chart_csv(request, page.chart, f"{org.level}-{org.code}-kpis-{chosen.period.key}")
        mine = my_units(request)
        context.update(body=network_overview.body_html(chosen.period, org=org, run_date=context["run_date"],
                                                       version=version),
                       my_units=[m.unit for m in memberships(request.user) if m.unit.ods_code in mine],
                       referrals=_referral_counts(chosen.period, version, org, tree),
                       referrals_start=chosen.period.start, referrals_end=chosen.period.end,
                       **_drill(request, org, tree, chosen.period.end, chosen.period.key))
    return render(request, "kpis/overview.html", context)


def _referral_counts(period: Period, version: str, org: OrgRef, tree: orgscope.Tree) -> referrals.ReferralCounts:
    """Referrals, cooled and not cooled by reason in the organisation's units (issue 14; issue 18: of the
    organisation shown), by UK date of the referral call. Counts, no patient data: every role sees them. One
    grouped query, remembered per version of the figures (every case write recomputes the figures, so the
    counts move with them)."""
    units = tree.units_in(org, period.end)
    return memo.remember(f"kpis.referrals:{org.level}:{org.code}:{period.key}:{period.start}:{period.end}", version,
                         lambda: referrals.counts(referrals.in_dates(
                             Case.objects.current().filter(birth_unit__ods_code__in=units), period.start, period.end)))


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
        tree = orgscope.tree()
        path = tree.hierarchy.path(unit.ods_code, period.end)
        network = path.network if path is not None else unit.network.code  # the network beside: the unit's (issue 18)
        context.update(network_code=network, network_name=tree.name(OrgRef(Level.NETWORK, network)))
        if level == Level.BIRTH_UNIT:
            context.update(_drill(request, OrgRef(level, unit.ods_code), tree, period.end, period.key))
        context["lines"] = memo.remember(
            f"kpis.page.org:{level}:{unit.ods_code}:{network}:{period.key}:{when}", version,
            lambda: dashboard.org_lines(level=level, org_code=unit.ods_code, period_key=period.key,
                                        aims=aims.current(), cohorts_as_of=when, beside=network))
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


_COMPARED_LEVELS = (Level.BIRTH_UNIT, Level.COOLING_CENTRE, Level.TRUST, Level.LMNS, Level.ICB, Level.NETWORK,
                    Level.REGION)


def _within_or_404(request: HttpRequest, tree: orgscope.Tree) -> OrgRef | None:
    """`?within=level:code`: only the units (or organisations) of this organisation (issue 18)."""
    value = request.GET.get("within", "")
    if not value:
        return None
    try:
        ref = orgscope.parse_choice(value)
    except ValueError:
        raise Http404("No such level") from None
    return _known_rollup_or_404(ref, tree)


def _members(level: Level, within: OrgRef | None, tree: orgscope.Tree, on: Any) -> list[compare.Member] | None:
    """The rows: None for every unit at a unit level (as before issue 18); else the organisations of the level,
    within `within` when given (an organisation is within it when one of its units is)."""
    if level in ROLLUP_LEVELS:
        inside = set(tree.units_in(within, on)) if within else None
        refs = [ref for ref in tree.organisations(level, on)
                if inside is None or inside & set(tree.units_in(ref, on))]
        return [compare.Member(level, ref.code, tree.name(ref)) for ref in refs]
    if within is None:
        return None
    units = Unit.objects.filter(ods_code__in=tree.units_in(within, on)).order_by("short_name")
    if level == Level.COOLING_CENTRE:
        units = units.filter(is_cooling_centre=True)
    return [compare.Member.of_unit(level, unit) for unit in units.exclude(designation="transport")]


@login_required
@require_GET
def compare_units(request: HttpRequest) -> HttpResponse:
    """Units (or organisations) side by side: every unit, the units of one organisation (`within`), or the
    organisations of one level (`level=trust`, `level=network`; issue 18)."""
    level = _level_or_404(request.GET.get("level", Level.BIRTH_UNIT))
    groups = compare.groups()
    group = next((g for g in groups if g.slug == request.GET.get("group")), groups[0])
    version = page_version()
    chosen = picker.pick(request, version)
    tree = orgscope.tree()
    within = _within_or_404(request, tree)
    keep = {"level": level, "group": group.slug, **({"within": f"{within.level}:{within.code}"} if within else {})}
    context = {**_base_context(request, chosen), "level": level, "level_title": _compared_title(level),
               "levels": [(option, _compared_title(option)) for option in _COMPARED_LEVELS], "groups": groups,
               "group": group, "keep": keep, "within": within,
               "within_name": tree.name(within) if within else "", "is_units": level not in ROLLUP_LEVELS}
    if chosen.period:
        period, when = chosen.period, context["run_date"]
        on = period.end
        path = tree.hierarchy.path(tree.units_in(within, on)[0], on) if within and tree.units_in(within, on) else None
        network = (None if level in (Level.NETWORK, Level.REGION)
                   else path.network if path is not None and within and within.level != Level.REGION
                   else orgscope.home_network(request.user, tree))
        scope = f"{within.level}:{within.code}" if within else "all"
        everyone = memo.remember(f"kpis.page.compare:{level}:{scope}:{network}:{group.slug}:{period.key}:{when}",
                                 version, lambda: compare.comparison(
                                     level=level, period=period, group=group, mine=(), run_date=when,
                                     members=_members(level, within, tree, on), network=network))
        table = compare.mine_first(everyone, my_units(request))
        if _wants_csv(request):
            header, rows = compare.csv_rows(table)
            return downloads.csv_response(header, rows, name=f"units-{group.slug}-{chosen.period.key}",
                                          user=request.user, what=f"Units compared, {group.title}, {chosen.label}")
        context.update(table=table, network_name=tree.name(OrgRef(Level.NETWORK, network)) if network else "")
    return render(request, "kpis/compare.html", context)


def _compared_title(level: Level) -> str:
    return {Level.BIRTH_UNIT: "birth unit", Level.COOLING_CENTRE: "cooling centre", Level.TRUST: "trust",
            Level.LMNS: "LMNS", Level.ICB: "ICB", Level.NETWORK: "network", Level.REGION: "region"}[level]


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
    where = _where_or_404(request)
    level, org, unit = where.level, where.org, where.unit
    by = PeriodType.QUARTER if request.GET.get("by") == "quarter" else PeriodType.MONTH
    freshness = dashboard.freshness()
    aim = aims.current().get(code)
    chart = pagecharts.run_chart_for(code, level=level, org_code=org, where=where.name, by=by,
                                     run_date=freshness.run_date, aim=aim)
    if _wants_csv(request):
        return _chart_csv(request, chart, f"{code}-{org}-by-{by}")
    return render(request, "kpis/run.html", {
        "freshness": freshness, "definition": definition, "level": level, "unit": unit, "org": org, "by": by,
        "org_name": where.name,
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
    where = _where_or_404(request)
    level, org, unit = where.level, where.org, where.unit
    freshness = dashboard.freshness()
    when = freshness.run_date or timezone.localdate()
    aim = aims.current().get(code)
    g_chart = pagecharts.g_chart_for(code, level=level, org_code=org, where=where.name)
    pooled_level = Level.COOLING_CENTRE if level == Level.COOLING_CENTRE else Level.BIRTH_UNIT
    pooled, rows = pagecharts.pooled_funnel_for(code, level=pooled_level, run_date=when, aim=aim,
                                                highlight=_unit_names(my_units(request)))
    if _wants_csv(request):
        chart = pooled if request.GET.get("chart") == "funnel" else g_chart
        return _chart_csv(request, chart, f"{code}-{'three-years' if chart is pooled else 'between-breaches'}")
    return render(request, "kpis/breaches.html", {
        "freshness": freshness, "definition": definition, "explanation": explain.BY_CODE[code], "level": level,
        "unit": unit, "org": org, "org_name": where.name, "g_chart": g_chart, "pooled": pooled, "rows": rows,
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
    where = _where_or_404(request)
    level, org = where.level, where.org
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
    elif level in ROLLUP_LEVELS:
        # Where the latest run counted each case (issue 18: the birth unit's organisations on the birth date).
        cases = cases.filter(**{f"kpi_attribution__{level}_code": org})
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
