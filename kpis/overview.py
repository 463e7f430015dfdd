"""The network overview's figures and chart, shared by the page and by the KPI jobs, which prepare them ahead.

A run changes the figures, and the first person to open /kpis/ afterwards would otherwise wait for the
figures to be read and matplotlib to draw (about 0.1–0.3 s). `page()` keeps everything the page shows for a
period (its KPI lines with their aims and birth cohorts, the chart, the units) under the pages' version
(`kpis.versions.page_version`: the figures and the network aims), so a warm page is one small query plus
the freshness check. `warm(run)` builds the default period's page (figures, chart, celebrating success) of
each network as every HIE KPI job finishes, into the cache the web processes read (`core.memo`; with a shared
CACHE_URL they find it there), so no chart is drawn on the overview's first request after a run. A worker also
draws the network run charts the overview links to and, once per KPI (the same chart for every network), the
funnel plot of the birth units.

Only what the run changed is drawn: after a run of some periods (the drain after a save) the run charts of
the networks whose figures it changed (`kpis.changes`, noted by the engine as the run wrote) and the funnel
plots only when the default period changed; after a full run (the nightly one), with no run given, or when the
default period or the run date has moved since the charts were last prepared, every network's. Every
network's overview is prepared after every run (each run gives every page a new version, and an unprepared
overview costs its first visitor about 0.4 s at 10 networks under load): that draws no chart for a network
whose figures did not change, its bar chart being remembered by its figures (`core.memo`), as every chart is.
Off with KPIS_WARM_CHARTS=false; with Celery inline (no worker) only the overviews are prepared, so a save that
runs the recompute in its own request does not also draw charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from core import memo
from kpis import aims, changes, dashboard, orgscope, pagecharts, pending
from kpis.aims import Aim
from kpis.charts import Chart
from kpis.definitions.base import Level
from kpis.models import KpiRun
from kpis.orgscope import OrgRef
from kpis.periods import Period, previous_period
from kpis.registry import KPIS
from kpis.versions import page_version
from units.models import Designation, Unit

# The default period and run date the charts were last prepared for: when either moves (a new day, a new
# rolling window) every chart's arguments change, so the job prepares everything whatever the run changed.
_PREPARED_FOR = "kpis.overview.prepared-for"
_PREPARED_FOR_SECONDS = 26 * 60 * 60  # longer than a day, so the nightly run's note is there all day


@dataclass(frozen=True)
class OverviewPage:
    lines: list[dashboard.KpiLine]
    chart: Chart
    units: list[Unit]


def page(period: Period, *, org: OrgRef, run_date: date | None, version: str | None = None) -> OverviewPage:
    """The overview of an organisation (a network, or any level above the unit: issue 18) for a period, worked
    out once per version of the figures and aims."""
    name = f"kpis.page.overview:{org.level}:{org.code}:{period.key}:{run_date}"
    return memo.remember(name, version or page_version(), lambda: _page_now(period, org, run_date))


def _page_now(period: Period, org: OrgRef, run_date: date | None) -> OverviewPage:
    lines = dashboard.org_lines(level=org.level, org_code=org.code, period_key=period.key, aims=aims.current(),
                                cohorts_as_of=run_date)
    members = orgscope.tree().units_in(org, period.end)
    units = list(Unit.objects.exclude(designation=Designation.TRANSPORT).filter(ods_code__in=members)
                 .order_by("short_name"))
    return OverviewPage(lines, pagecharts.overview_chart(lines, period.label, org), units)


def body_html(period: Period, *, org: OrgRef, run_date: date | None, version: str | None = None) -> str:
    """The overview's table, chart, celebrating success and units, rendered once per version of the figures
    and aims: the same for every viewer of the organisation, and most of a request's time when rendered each
    time (hundreds of links and definitions)."""
    version = version or page_version()
    name = f"kpis.page.overview.html:{org.level}:{org.code}:{period.key}:{run_date}"

    def render() -> str:
        shown = page(period, org=org, run_date=run_date, version=version)
        return render_to_string("kpis/partials/overview_body.html", {
            "lines": shown.lines, "chart": shown.chart, "units": shown.units, "period": period.key,
            "previous_label": previous_period(period).label, "level": org.level, "org": org.code,
            "csv_url": "?" + urlencode({"format": "csv", "period": period.key, "level": org.level, "org": org.code}),
        })

    return memo.remember(name, version, render)


def default_orgs() -> list[OrgRef]:
    """What /kpis/ opens on for each network's staff: every network with figures (warmed after each run)."""
    return [OrgRef(Level.NETWORK, code) for code in orgscope.network_codes()]


def warm(run: KpiRun | None = None, *, linked: bool = True) -> bool:
    """Prepare what /kpis/ opens on for every network and, in a worker and with `linked`, the charts it links
    to whose figures `run` changed (every network's when it is a full run or None); False when there is nothing
    to show (see the module docstring)."""
    if not settings.KPIS_WARM_CHARTS:
        return False
    version = page_version()
    choices = dashboard.cached_periods(version)
    key = dashboard.default_period(choices)
    period = dashboard.resolve_period(key, choices) if key else None
    if period is None:
        return False
    when = dashboard.freshness().run_date  # as the pages read it, so the cache keys match
    draw = linked and not pending.celery_runs_inline()
    changed = changes.of(run) if run is not None else None
    if cache.get(_PREPARED_FOR) != (period.key, when):
        changed = None  # a new day or window since the charts were prepared: every chart changed
    current = aims.current() if draw else {}
    for org in default_orgs():
        page(period, org=org, run_date=when, version=version)
        body_html(period, org=org, run_date=when, version=version)  # with its "celebrating success" panel
        if draw and (changed is None or org.code in changed.networks):
            _warm_run_charts(when, org, current)  # unchanged figures: its run charts are in the cache
    if draw and (changed is None or period.key in changed.periods):
        _warm_funnels(period, current)
    if draw:
        cache.set(_PREPARED_FOR, (period.key, when), _PREPARED_FOR_SECONDS)
    return True


def _warm_funnels(period: Period, current: dict[str, Aim]) -> None:
    """The funnel plots of the birth units the overview links to (the default period), as a network-wide
    viewer sees them (a unit role's own units are highlighted, which is drawn on first view): one per KPI, the
    same for every network's overview."""
    for definition in KPIS:
        rows = dashboard.unit_rows_for(code=definition.CODE, level=Level.BIRTH_UNIT, period=period)
        pagecharts.funnel_chart_for(definition.CODE, level=Level.BIRTH_UNIT, period=period, rows=rows,
                                    aim=current.get(definition.CODE))


def _warm_run_charts(when: date | None, org: OrgRef, current: dict[str, Aim]) -> None:
    """The organisation's run charts the overview links to, with the network aims, as the run chart page draws
    them."""
    where = orgscope.tree().name(org)  # one version query, not one per KPI
    for code in dashboard.ORDER:
        pagecharts.run_chart_for(code, level=org.level, org_code=org.code, where=where, run_date=when,
                                 aim=current.get(code))
