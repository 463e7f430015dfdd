"""Publishing and signing off a board report: frozen figures, locked, corrected by a new version; stale saves
refused; only a network lead signs off; the dashboards say which figures are live."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core.exceptions import EditConflict
from core.models import AuditEvent
from core.testing.personas import Personas
from kpis import services as kpi_services
from kpis.models import KpiRun
from pathway import services as pathway_services
from pathway.models import Case
from reporting import services
from reporting.models import BoardReport, ExportJob
from reporting.scope import default_network_code
from reporting.tests.conftest import AS_OF, client_for, cooled

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(figures: Personas) -> BoardReport:
    return services.board_report_create(values={"title": "Board 2024", "level": "network", "period_key": "2024",
                                                "summary": "A steady year."}, by=figures.lead)


def _hie(data: dict[str, Any], title: str) -> list[str]:
    table = data["sections"][0]["tables"][0]
    return next([c[0] for c in row] for row in table["rows"] if row[0][0].split("\n")[0] == title)


def _download(client: Any, report: BoardReport, fmt: str, capture: Any) -> bytes:
    with capture(execute=True):
        client.post(reverse("reporting:export", args=[report.pk]), {"format": fmt})
    job = ExportJob.objects.latest("id")
    response = client.get(reverse("reporting:job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _change_the_records(people: Personas) -> None:
    """A late-entered baby who was cooled late, and a correction to an existing baby, then a recompute."""
    cooled(people, day=20, minutes=500)
    case = Case.objects.order_by("id").first()
    assert case is not None
    pathway_services.case_update(case=case, values={"placenta_sent": "no"}, by=people.nurse,
                                 expected_version=case.version)
    kpi_services.compute(as_of=AS_OF)


def test_publishing_freezes_every_figure_while_the_draft_stays_live(draft: BoardReport, figures: Personas) -> None:
    published = services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    assert (published.status, published.published_by, published.edition) == ("published", figures.lead, 1)
    snapshot = published.snapshot
    assert snapshot is not None and _hie(snapshot, "Cooling started within 6 hours")[3:5] == ["3", "4"]
    assert snapshot["run"] == KpiRun.objects.filter(scope="full").latest("id").pk
    assert snapshot["definition_versions"]["cooling_started_6h"] == 1
    assert len(snapshot["charts"]) == 11 and all(c["svg"].startswith("<svg") for c in snapshot["charts"])
    other = services.board_report_create(values={"title": "Still a draft", "level": "network", "period_key": "2024"},
                                         by=figures.lead)

    _change_the_records(figures)

    published.refresh_from_db()
    assert services.report_data(published) == snapshot  # the stored copy, untouched
    assert _hie(services.report_data(published), "Cooling started within 6 hours")[3:5] == ["3", "4"]
    assert _hie(services.report_data(other), "Cooling started within 6 hours")[3:5] == ["3", "5"]  # live
    event = AuditEvent.objects.filter(object_type="reporting.boardreport", object_id=str(published.pk)).latest("id")
    assert event.summary == "Board report published and signed off: version 1" and event.actor == figures.lead


def test_downloads_after_the_data_change_are_the_same_files(draft: BoardReport, figures: Personas, media: Path,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    """Publish, download, change cases, recompute, download again: identical figures and files (the
    spreadsheet differs only in its download time)."""
    report = services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    client = client_for(figures.lead)
    before = {fmt: _download(client, report, fmt, django_capture_on_commit_callbacks) for fmt in ("csv", "pdf", "xlsx")}
    _change_the_records(figures)
    after = {fmt: _download(client, report, fmt, django_capture_on_commit_callbacks) for fmt in ("csv", "pdf", "xlsx")}

    assert after["csv"] == before["csv"] and after["pdf"] == before["pdf"]
    rows = list(csv.DictReader(io.StringIO(after["csv"].decode("utf-8-sig"))))
    network = next(r for r in rows if r["Level"] == "Network" and r["Measure"] == "Cooling started within 6 hours")
    assert (network["Met"], network["Eligible"]) == ("3", "4")

    def cells(data: bytes) -> list[list[Any]]:
        book = load_workbook(io.BytesIO(data))
        return [[sheet.title, *(c.value for c in row)] for sheet in book for row in sheet.iter_rows()
                if row[0].value != "Downloaded"]

    assert cells(after["xlsx"]) == cells(before["xlsx"])
    about = {r[0].value: r[1].value for r in load_workbook(io.BytesIO(after["xlsx"]))["About this report"].iter_rows()}
    assert about["Status"] == "Published, version 1" and about["Signed off by"]


def test_a_published_report_is_locked(draft: BoardReport, figures: Personas) -> None:
    report = services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    with pytest.raises(EditConflict, match="make a correction"):
        services.board_report_update(report=report, values={"summary": "Rewritten"}, by=figures.lead)
    with pytest.raises(EditConflict):
        services.board_report_publish(report=report, by=figures.lead, expected_version=report.version)
    response = client_for(figures.lead).get(reverse("reporting:edit", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reporting:preview", args=[report.pk])
    report.refresh_from_db()
    assert report.summary == "A steady year."


def test_a_correction_is_a_new_version_that_says_what_changed(draft: BoardReport, figures: Personas) -> None:
    first = services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    _change_the_records(figures)
    correction = services.board_report_correct(report=first, by=figures.lead)
    assert (correction.edition, correction.corrects, correction.status) == (2, first, "draft")
    assert services.board_report_correct(report=first, by=figures.lead) == correction  # not a second draft
    with pytest.raises(ValidationError) as missing:
        services.board_report_publish(report=correction, by=figures.lead, expected_version=correction.version)
    assert missing.value.message_dict == {"what_changed": ["Say what changed from the version this one corrects"]}
    correction = services.board_report_update(report=correction, values={"what_changed": "A late-entered baby."},
                                              by=figures.lead, expected_version=correction.version)
    second = services.board_report_publish(report=correction, by=figures.lead, expected_version=correction.version)
    assert _hie(second.snapshot or {}, "Cooling started within 6 hours")[3:5] == ["3", "5"]
    first.refresh_from_db()
    assert _hie(first.snapshot or {}, "Cooling started within 6 hours")[3:5] == ["3", "4"]  # version 1 unchanged

    page = client_for(figures.lead).get(reverse("reporting:preview", args=[first.pk])).content.decode()
    assert "Corrected" in page and "version 2" in page and "A late-entered baby." in page
    page = client_for(figures.lead).get(reverse("reporting:preview", args=[second.pk])).content.decode()
    assert "Published, version 2." in page and "What changed from version 1: A late-entered baby." in page


def test_a_stale_save_is_refused_and_nothing_is_overwritten(draft: BoardReport, figures: Personas) -> None:
    client = client_for(figures.lead)
    opened = draft.version
    services.board_report_update(report=draft, values={"summary": "Someone else's words."}, by=figures.admin_user,
                                 expected_version=opened)
    response = client.post(reverse("reporting:edit", args=[draft.pk]), {
        "title": "Board 2024", "scope": f"network:{default_network_code()}", "period_key": "2024", "sections": ["hie"],
        "summary": "Mine.", "highlights": "", "concerns": "", "actions": "", "version": opened})
    assert response.status_code == 400 and "Someone else changed this report" in response.content.decode()
    draft.refresh_from_db()
    assert draft.summary == "Someone else's words."
    with pytest.raises(EditConflict):
        services.board_report_publish(report=draft, by=figures.lead, expected_version=opened)


def test_only_a_network_lead_signs_off(draft: BoardReport, figures: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.board_report_publish(report=draft, by=figures.admin_user, expected_version=draft.version)
    admin = client_for(figures.admin_user)
    assert admin.get(reverse("reporting:publish", args=[draft.pk])).status_code == 403
    assert "Publish and sign off" not in admin.get(reverse("reporting:preview", args=[draft.pk])).content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_publish_page_asks_for_confirmation_then_signs_off(draft: BoardReport, figures: Personas) -> None:
    client = client_for(figures.lead)
    page = client.get(reverse("reporting:publish", args=[draft.pk])).content.decode()
    assert "This locks the report" in page and "I have checked the figures" in page
    refused = client.post(reverse("reporting:publish", args=[draft.pk]), {"version": draft.version})
    assert refused.status_code == 400 and "Tick the box to confirm" in refused.content.decode()
    done = client.post(reverse("reporting:publish", args=[draft.pk]), {"version": draft.version, "confirm": "on"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    listing = client.get(reverse("reporting:list")).content.decode()
    assert "Published</strong> version 1, signed off by" in listing


def test_the_kpi_overview_says_its_figures_are_live_and_names_the_published_report(
        draft: BoardReport, figures: Personas) -> None:
    page = client_for(figures.consultant).get(reverse("kpis:overview")).content.decode()
    assert 'data-figures="live"' in page and "latest published board report" not in page
    services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    page = client_for(figures.consultant).get(reverse("kpis:overview")).content.decode()
    assert "The latest published board report, “Board 2024” (2024), was signed off on" in page


def test_a_published_report_is_laid_out_once_and_every_later_download_is_that_file(
        draft: BoardReport, figures: Personas, media: Path, django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first download of a published PDF lays it out and keeps it with the snapshot; later ones (any
    process: the PDF cache is emptied between them) read the kept file."""
    from django.core.cache import cache
    from weasyprint import HTML

    layouts: list[int] = []
    real_write_pdf = HTML.write_pdf

    def counted(self: HTML, *args: Any, **kwargs: Any) -> Any:
        layouts.append(1)
        return real_write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counted)
    report = services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    client = client_for(figures.lead)
    cache.clear()
    first = _download(client, report, "pdf", django_capture_on_commit_callbacks)
    assert len(layouts) == 1
    report.refresh_from_db()
    assert report.pdf.name and (media / report.pdf.name).read_bytes() == first
    for _ in range(2):
        cache.clear()
        assert _download(client, report, "pdf", django_capture_on_commit_callbacks) == first
    assert len(layouts) == 1  # never laid out again


def _steps(client: Any, job: ExportJob) -> tuple[list[str], int]:
    """The job page's steps as it shows them now (done / now / to do), and its progress bar's value."""
    page = client.get(reverse("reporting:job_progress", args=[job.pk])).content.decode()
    states = re.findall(r'<li data-state="([a-z ]+)"', page)
    return states, int(re.search(r'<progress[^>]* value="(\d+)"', page).group(1))  # type: ignore[union-attr]


def test_the_job_page_shows_each_step_as_the_job_reaches_it(
        draft: BoardReport, figures: Personas, media: Path, django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Looked at while the job works (from inside its charts and its layout), the page shows the step it is
    on, the steps before it done, and a bar that moves on."""
    from reporting import content, render

    client = client_for(figures.lead)
    seen: dict[str, tuple[list[str], int]] = {}
    real_charts, real_pdf = content.charts, render.pdf_bytes

    def charts(*args: Any, **kwargs: Any) -> Any:
        seen["charts"] = _steps(client, ExportJob.objects.latest("id"))
        return real_charts(*args, **kwargs)

    def pdf_bytes(*args: Any, **kwargs: Any) -> bytes:
        seen["layout"] = _steps(client, ExportJob.objects.latest("id"))
        return real_pdf(*args, **kwargs)

    monkeypatch.setattr(content, "charts", charts)
    monkeypatch.setattr(render, "pdf_bytes", pdf_bytes)
    _download(client, draft, "pdf", django_capture_on_commit_callbacks)
    done, bar = _steps(client, ExportJob.objects.latest("id"))

    assert seen["charts"] == (["done", "now", "to do", "to do"], 25)
    assert seen["layout"] == (["done", "done", "now", "to do"], 50)
    assert (done, bar) == (["done"] * 4, 100)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_published_spreadsheet_is_made_once_and_kept(draft: BoardReport, figures: Personas, media: Path,
                                                       django_capture_on_commit_callbacks: Any, fmt: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The first download makes the file from the snapshot and keeps it; the second is that file, byte for
    byte, with no builder called; a correction (a new version) makes and keeps its own."""
    from reporting.models import ExportRecord

    calls: list[str] = []
    kind = {"xlsx": ExportRecord.Kind.REPORT_XLSX, "csv": ExportRecord.Kind.REPORT_CSV}[fmt]
    extension, build = services._REPORT_KINDS[kind]

    def counted(data: Any, out: Any, report: Any) -> int:
        calls.append(fmt)
        return build(data, out, report)

    monkeypatch.setitem(services._REPORT_KINDS, kind, (extension, counted))
    report = services.board_report_publish(report=draft, by=figures.lead, expected_version=draft.version)
    client = client_for(figures.lead)
    first = _download(client, report, fmt, django_capture_on_commit_callbacks)
    assert calls == [fmt]
    report.refresh_from_db()
    kept = getattr(report, fmt).name
    assert kept == f"published/report-{report.pk}-v1.{fmt}" and (media / kept).read_bytes() == first

    _change_the_records(figures)
    second = _download(client, report, fmt, django_capture_on_commit_callbacks)
    assert calls == [fmt] and second == first  # served from storage: not rebuilt, the same bytes
    if fmt == "xlsx":
        about = {r[0].value for r in load_workbook(io.BytesIO(second))["About this report"].iter_rows()}
        assert "Downloaded" not in about  # a kept file carries no download time

    correction = services.board_report_correct(report=report, by=figures.lead)
    correction = services.board_report_update(report=correction, values={"what_changed": "A late-entered baby."},
                                              by=figures.lead, expected_version=correction.version)
    second_version = services.board_report_publish(report=correction, by=figures.lead,
                                                   expected_version=correction.version)
    corrected = _download(client, second_version, fmt, django_capture_on_commit_callbacks)
    assert calls == [fmt, fmt] and corrected != first
    second_version.refresh_from_db()
    assert getattr(second_version, fmt).name == f"published/report-{second_version.pk}-v2.{fmt}"
    assert _download(client, report, fmt, django_capture_on_commit_callbacks) == first  # version 1 still its own
    assert calls == [fmt, fmt]
