"""A draft board report's charts drawn ahead, by a worker, so nobody waits for them.

A report shows the dashboards' own charts (`reporting.content.charts`), remembered per set of figures
(`core.memo`), and the PDF places each as a picture drawn once (`reporting.render.chart_picture`). Drawn on
a request, the first view of a new set of figures waits for all of them (about 8 s for the preview and 16 s
for the PDF of a network report on the demo data). So a worker draws them, SVG and picture, whenever the
figures or the report change: after every HIE KPI run for every draft (`kpis.signals.figures_changed`), and
when a draft is created or saved (`reporting.services`), when it also lays out the draft's PDF (remembered per
page, `reporting.render.pdf_bytes`), which its author is about to download. The preview and PDF that follow
find them made. Published reports keep their charts in their snapshot and their PDF in a file; a report for
outside the network has no charts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from reporting import content, render
from reporting.figures import figure_rows
from reporting.models import BoardReport, Section

DRAFTS_DRAWN_AHEAD = 10


def has_charts(report: BoardReport) -> bool:
    """Whether the report shows charts (`reporting.content.build_for` draws them on the same conditions)."""
    return not report.is_published and not report.for_external and Section.HIE in (report.sections or [])


def prepare(report: BoardReport, *, with_pdf: bool = False) -> int:
    """Draw the report's charts and their pictures into the cache, and with `with_pdf` lay out its PDF too;
    the number of charts."""
    if report.is_published:
        return 0
    if with_pdf:
        data = content.build(report)
        render.pdf_bytes(data, report)  # draws each chart's picture on the way
        return len(data["charts"])
    if not has_charts(report):
        return 0
    scope = content.scope_of(report)
    drawn = content.charts(scope, figure_rows(scope, policy=None))
    for chart in drawn:
        render.chart_picture(chart.svg)
    return len(drawn)


def prepare_drafts() -> int:
    """The drafts' charts after a KPI run (each draft now shows new figures); the number of charts. Only the
    drafts worked on most recently: a run follows every burst of record saves, and an old draft nobody opens
    is drawn when it is next opened (charts whose figures did not change are remembered, not drawn again)."""
    drafts = (BoardReport.objects.filter(status=BoardReport.Status.DRAFT, for_external=False)
              .select_related("org").order_by("-updated_at")[:DRAFTS_DRAWN_AHEAD])
    return sum(prepare(report) for report in drafts)


def prepare_later(report_id: int | None = None) -> None:
    """Send the drawing to a worker (one report, or every draft); nothing without one: tasks would run inline,
    in the request that saved the report, which is exactly the wait this avoids (and not with KPIS_WARM_CHARTS
    off, as in the tests)."""
    from kpis.pending import celery_runs_inline
    from reporting.tasks import prepare_report_charts

    if settings.KPIS_WARM_CHARTS and not celery_runs_inline():
        prepare_report_charts.delay(report_id)


def on_figures_changed(sender: Any, *, producer: str, **_: Any) -> None:
    """`kpis.signals.figures_changed`: only HIE figures are charted."""
    from kpis.models import HIE

    if producer == HIE:
        prepare_later()
