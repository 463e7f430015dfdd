"""A draft board report's charts are drawn ahead by a worker (`reporting.charts`), so its first preview and PDF
find every chart and picture drawn: after a KPI run for every draft, and when a draft is created or saved."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from matplotlib.figure import Figure

from core.testing.personas import Personas
from kpis import tasks as kpi_tasks
from kpis.models import KpiRun
from kpis.signals import figures_changed
from reporting import charts, content, render, services, tasks
from reporting.models import BoardReport
from reporting.tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(figures: Personas) -> BoardReport:
    return services.board_report_create(values={"title": "Board 2024", "level": "network", "period_key": "2024"},
                                        by=figures.lead)


@pytest.fixture
def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, drawing a chart or a picture fails the test: everything must have been drawn ahead."""
    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a chart was drawn on the request")

    monkeypatch.setattr(Figure, "savefig", refuse)
    monkeypatch.setattr("cairosvg.svg2png", refuse)


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[int | None]:
    """As in production: a worker to send the drawing to (the broker is the boundary: what is sent is kept)."""
    settings.KPIS_WARM_CHARTS = True
    sent: list[int | None] = []
    monkeypatch.setattr("kpis.pending.celery_runs_inline", lambda: False)
    monkeypatch.setattr(tasks.prepare_report_charts, "delay", sent.append)
    return sent


def test_drawn_ahead_the_preview_and_pdf_draw_nothing(draft: BoardReport, figures: Personas, media: Any,
                                                      request: pytest.FixtureRequest,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = tasks.prepare_report_charts(draft.pk)
    assert drawn == len(content.CHARTED) + 5  # a run chart each; a funnel plot of each of the 5 rates
    request.getfixturevalue("no_drawing")
    page = client_for(figures.lead).get(reverse("reporting:preview", args=[draft.pk]))
    assert page.status_code == 200 and page.content.count(b"<svg") >= drawn
    html = render.report_html(services.report_data(draft), draft)
    assert html.count('src="chart:') == drawn  # each picture named, not copied into the page
    monkeypatch.setattr("weasyprint.HTML.write_pdf", refuse_layout)
    pdf = io.BytesIO()
    render.write_pdf(services.report_data(draft), pdf, draft)  # laid out ahead: found, not laid out again
    assert pdf.getvalue().startswith(b"%PDF")


def refuse_layout(*_: Any, **__: Any) -> None:
    raise AssertionError("the PDF was laid out on the request")


def test_every_draft_is_drawn_after_a_kpi_run_and_nothing_else(draft: BoardReport, figures: Personas) -> None:
    external = services.board_report_create(values={"title": "Shared", "level": "network", "period_key": "2024",
                                                    "for_external": True}, by=figures.lead)
    pop_only = services.board_report_create(values={"title": "POP", "level": "network", "period_key": "2024",
                                                    "sections": ["pop"]}, by=figures.lead)
    assert charts.prepare(external) == 0 and charts.prepare(pop_only) == 0  # no charts to draw
    assert tasks.prepare_report_charts() == charts.prepare(draft) > 0  # the drafts: only `draft` has charts


def test_after_a_run_only_the_drafts_worked_on_most_recently_are_drawn(
        draft: BoardReport, figures: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    newer = services.board_report_create(values={"title": "Newer", "level": "network", "period_key": "2024-Q2"},
                                         by=figures.lead)
    drawn: list[str] = []

    def prepare(report: BoardReport) -> int:
        drawn.append(report.title)
        return 0

    monkeypatch.setattr(charts, "DRAFTS_DRAWN_AHEAD", 1)
    monkeypatch.setattr(charts, "prepare", prepare)
    charts.prepare_drafts()
    assert drawn == [newer.title]


def test_a_worker_is_sent_the_drawing_when_figures_or_a_draft_change(
        figures: Personas, worker: list[int | None], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.board_report_create(values={"title": "Board", "level": "network", "period_key": "2024"},
                                              by=figures.lead)
    assert worker == [report.pk]  # on create
    with django_capture_on_commit_callbacks(execute=True):
        services.board_report_update(report=report, values={"period_key": "2024-Q2"}, by=figures.lead)
    assert worker == [report.pk, report.pk]  # on a save that changed something
    with django_capture_on_commit_callbacks(execute=True):
        services.board_report_update(report=report, values={"period_key": "2024-Q2"}, by=figures.lead)
    assert len(worker) == 2  # nothing changed: nothing to redraw
    figures_changed.send(sender=KpiRun, producer="pop", run=None)
    assert len(worker) == 2  # POP figures are not charted in a report
    figures_changed.send(sender=KpiRun, producer="hie", run=None)
    assert worker[-1] is None  # after an HIE run: every draft


def test_the_kpi_tasks_say_when_a_run_succeeded(figures: Personas) -> None:
    heard: list[tuple[str, int]] = []

    def listen(sender: Any, *, producer: str, run: KpiRun, **_: Any) -> None:
        heard.append((producer, run.pk))

    figures_changed.connect(listen, dispatch_uid="test.listen", weak=False)
    try:
        run_id = kpi_tasks.recompute_all("training")
    finally:
        figures_changed.disconnect(dispatch_uid="test.listen")
    assert heard == [("training", run_id)]


def test_without_a_worker_nothing_is_sent(figures: Personas, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.KPIS_WARM_CHARTS = True
    sent: list[int | None] = []
    monkeypatch.setattr(tasks.prepare_report_charts, "delay", sent.append)
    services.board_report_create(values={"title": "Board", "level": "network", "period_key": "2024"},
                                 by=figures.lead)
    assert sent == []  # tasks run inline here: the preview draws, not the save
