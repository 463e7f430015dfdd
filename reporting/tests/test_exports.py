"""Background exports: report PDF, XLSX and CSV and the case CSV made as jobs with a progress bar and a
download for the person who asked; every export in the export log and the audit trail, including
pathway's own case download."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import AuditEvent
from core.testing.personas import Personas
from pathway.dataset import COLUMNS as DATASET_COLUMNS
from reporting import services
from reporting.figures import COLUMNS, HIDDEN_ROW
from reporting.models import BoardReport, ExportJob, ExportRecord
from reporting.tests.conftest import client_for
from units.models import Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(figures: Personas) -> BoardReport:
    return services.board_report_create(values={"title": "Network board report 2024", "level": "network",
                                                "period_key": "2024", "summary": "Steady year."}, by=figures.lead)


def _start(client: Any, report: BoardReport, fmt: str, capture: Any) -> ExportJob:
    with capture(execute=True):
        response = client.post(reverse("reporting:export", args=[report.pk]), {"format": fmt})
    job = ExportJob.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == reverse("reporting:job", args=[job.pk])
    return job


def _download(client: Any, job: ExportJob) -> bytes:
    response = client.get(reverse("reporting:job_download", args=[job.pk]))
    assert response.status_code == 200, response
    assert response["Cache-Control"] == "no-store"
    return b"".join(response.streaming_content)


def test_pdf_job_makes_a_file_logs_it_and_offers_it_to_its_owner(report: BoardReport, figures: Personas,
                                                                  media: Path, django_capture_on_commit_callbacks: Any
                                                                  ) -> None:
    client = client_for(figures.lead)
    job = _start(client, report, "pdf", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.progress_percent, job.filename) == (
        "succeeded", 100, "network-board-report-2024-network-eoe-2024-draft.pdf")
    assert (media / job.file.name).is_file() and job.file.name.startswith("exports/")

    page = client.get(reverse("reporting:job_progress", args=[job.pk])).content.decode()
    assert "hx-get" not in page  # finished: the fragment stops polling
    assert reverse("reporting:job_download", args=[job.pk]) in page

    pdf = _download(client, job)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 10_000

    record = ExportRecord.objects.get()
    assert (record.kind, record.by, record.what, record.identifiable) == (
        "report_pdf", figures.lead, "Network board report 2024 (draft)", False)
    assert record.rows > 20 and record.scope == f"{Network.objects.get().name} (network), 2024"
    assert [state for _, state in job.steps] == ["done"] * 4
    assert record.audit_event is not None
    assert record.audit_event.action == "export" and record.audit_event.object_id == str(report.pk)
    assert job.record == record

    # Only the person who asked sees the job or the file: anyone else gets a 404, even a lead.
    other = client_for(figures.admin_user)
    assert other.get(reverse("reporting:job_download", args=[job.pk])).status_code == 404
    assert other.get(reverse("reporting:job", args=[job.pk])).status_code == 404


def _texts(box: Any) -> Any:
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", []):
        yield from _texts(child)


def test_pdf_holds_the_title_table_and_charts(report: BoardReport) -> None:
    """What WeasyPrint lays out for the PDF: metadata, the KPI table, one chart per figure, page numbers."""
    from weasyprint import HTML

    from reporting import content
    from reporting.render import report_html

    document = HTML(string=report_html(content.build(report), report)).render()
    assert document.metadata.title == "Network board report 2024"
    first_page = " ".join(_texts(document.pages[0]._page_box))
    assert "Steady year." in first_page and "Cooling started within 6 hours" in first_page
    assert "Draft, not signed off" in first_page and "Page 1 of" in first_page
    assert len(document.pages) >= 4


def test_xlsx_job_is_a_real_spreadsheet(report: BoardReport, figures: Personas, media: Path,
                                        django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(figures.lead)
    job = _start(client, report, "xlsx", django_capture_on_commit_callbacks)
    book = load_workbook(io.BytesIO(_download(client, job)))
    assert book.sheetnames == ["Neuroprotection (HIE) KPIs", "Preterm optimisation bundle",
                               "Training coverage by unit", "Family support", "Improvement actions",
                               "Data completeness", "Impact estimates", "Figures by unit", "Definitions",
                               "About this report"]
    hie = book["Neuroprotection (HIE) KPIs"]
    assert hie.freeze_panes == "A3" and [c.value for c in hie[2]][:6] == [
        "Measure", "Result", "95% interval", "Met", "Eligible", "Missing"]
    first = hie[3]
    assert first[0].value.startswith("Cooling started within 6 hours")
    assert (first[1].value, first[1].number_format, first[3].value, first[4].value) == (0.75, "0.0%", 3, 4)
    assert hie.column_dimensions["A"].width == 40
    layout = book["Figures by unit"]
    assert [c.value for c in layout[1]] == list(COLUMNS) and layout.freeze_panes == "A2"
    row = dict(zip(COLUMNS, [c.value for c in layout[2]], strict=True))
    assert (row["Measure"], row["Met"], row["Eligible"], row["Rate (%)"]) == (
        "Cooling started within 6 hours", 3, 4, 0.75)
    assert layout.cell(row=2, column=COLUMNS.index("Rate (%)") + 1).number_format == "0.0%"
    definitions = [r[0].value for r in book["Definitions"].iter_rows(min_row=2, max_row=3)]
    assert definitions == ["Cooling started within 6 hours", "Target temperature reached within 6 hours"]
    about = {r[0].value: r[1].value for r in book["About this report"].iter_rows()}
    assert about["Status"] == "Draft: live figures, not signed off" and about["Downloaded"]
    assert ExportRecord.objects.get().kind == "report_xlsx"


def test_csv_job_of_an_external_report_is_suppressed(report: BoardReport, figures: Personas, media: Path,
                                                      django_capture_on_commit_callbacks: Any) -> None:
    services.board_report_update(report=report, values={"for_external": True}, by=figures.lead)
    client = client_for(figures.lead)
    job = _start(client, report, "csv", django_capture_on_commit_callbacks)
    text = _download(client, job).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    ipswich = next(r for r in rows if r["Organisation code"] == "RDE03"
                   and r["Measure"] == "Cooling started within 6 hours")
    assert (ipswich["Met"], ipswich["Eligible"], ipswich["Rate (%)"], ipswich["Small numbers hidden"]) == (
        "[c]", "[c]", "[c]", HIDDEN_ROW)
    assert not any(r[c] in {"1", "2", "3", "4"} for r in rows if r["Level"] != "Network"
                   for c in ("Met", "Not met", "Eligible", "Not eligible", "Missing", "Babies timed"))
    network = next(r for r in rows if r["Level"] == "Network" and r["Measure"] == "Cooling started within 6 hours")
    assert (network["Met"], network["Eligible"], network["Rate (%)"]) == ("3", "4", "75.0")  # the headline stays
    record = ExportRecord.objects.get()
    assert record.small_numbers_suppressed and record.reason == "For sharing outside the network"


def test_unknown_format_is_a_404_and_starts_nothing(report: BoardReport, figures: Personas) -> None:
    response = client_for(figures.lead).post(reverse("reporting:export", args=[report.pk]), {"format": "doc"})
    assert response.status_code == 404 and not ExportJob.objects.exists()


def test_a_failing_job_says_why_and_leaves_no_file(report: BoardReport, figures: Personas, media: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(content: Any, out: Any, report: Any) -> int:
        out.write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setitem(services._REPORT_KINDS, ExportRecord.Kind.REPORT_CSV, ("csv", broken))
    job = ExportJob.objects.create(kind="report_csv", report=report, created_by=figures.lead,
                                   expires_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(RuntimeError, match="disk full"):
        services.export_job_run(job)
    job.refresh_from_db()
    assert (job.status, job.error, job.file.name) == ("failed", "disk full", "")
    assert not any((media / "exports").iterdir())
    assert not ExportRecord.objects.exists()
    page = client_for(figures.lead).get(reverse("reporting:job_progress", args=[job.pk])).content.decode()
    assert "Failed: disk full" in page


def test_queued_job_polls_and_expired_file_is_gone(report: BoardReport, figures: Personas, media: Path,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(figures.lead)
    queued = ExportJob.objects.create(kind="report_csv", report=report, created_by=figures.lead,
                                      expires_at=timezone.now() + timedelta(hours=1))
    page = client.get(reverse("reporting:job_progress", args=[queued.pk])).content.decode()
    assert f'hx-get="{reverse("reporting:job_progress", args=[queued.pk])}"' in page and 'hx-trigger="every 1s"' in page
    assert client.get(reverse("reporting:job_download", args=[queued.pk])).status_code == 404

    job = _start(client, report, "csv", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    path = media / job.file.name
    assert services.export_jobs_purge_expired(now=job.expires_at + timedelta(seconds=1)) == 1
    assert not path.exists()
    assert client.get(reverse("reporting:job_download", args=[job.pk])).status_code == 404


# --- Case CSV ---------------------------------------------------------------------------------------------------


def test_background_case_export_is_pseudonymised_and_logged(figures: Personas, media: Path,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    from pathway.models import Case

    Case.objects.filter(pk=Case.objects.order_by("id").values("id")[:1]).update(nhs_number="9434765919")
    client = client_for(figures.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:case_export"), {"reason": ""})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reporting:job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 4, 4)
    rows = list(csv.DictReader(io.StringIO(_download(client, job).decode())))
    assert list(rows[0]) == list(DATASET_COLUMNS) and len(rows) == 4
    assert all(r["nhs_number"] == "" and r["case_ref"].startswith("P-") for r in rows)
    assert "9434765919" not in str(rows)
    assert not {r["case_ref"] for r in rows} & set(Case.objects.values_list("case_ref", flat=True))

    record = ExportRecord.objects.get()
    assert (record.kind, record.by, record.rows, record.identifiable, record.scope) == (
        "cases_csv", figures.lead, 4, False, "All cases in the network")
    # The same audit row as pathway's own download writes.
    assert record.audit_event is not None
    assert record.audit_event.object_type == "pathway.case_export" and record.audit_event.changes["rows"] == 4
    assert job.record == record


def test_identifiable_case_export_needs_the_role_and_a_reason(figures: Personas, media: Path) -> None:
    lead = client_for(figures.lead)
    refused = lead.post(reverse("reporting:case_export"), {"identifiable": "on", "reason": "audit"})
    assert refused.status_code == 400 and "only for clinical nurse specialists" in refused.content.decode()
    nurse = client_for(figures.nurse)
    no_reason = nurse.post(reverse("reporting:case_export"), {"identifiable": "on", "reason": " "})
    assert no_reason.status_code == 400 and "Give the reason for the identifiable export" in no_reason.content.decode()
    assert not ExportJob.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.export_job_start(kind="cases_csv", by=figures.nurse, identifiable=True, reason="")
    assert list(error.value.message_dict) == ["reason"]


def test_identifiable_case_export_keeps_real_references(figures: Personas, media: Path,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_start(kind="cases_csv", by=figures.nurse, identifiable=True,
                                        reason="Annual register check")
    job.refresh_from_db()
    text = (Path(job.file.path)).read_text()
    from pathway.models import Case

    assert all(ref in text for ref in Case.objects.values_list("case_ref", flat=True))
    record = ExportRecord.objects.get()
    assert (record.identifiable, record.reason) == (True, "Annual register check")


def test_consultant_exports_only_cases_of_their_centre(figures: Personas, media: Path,
                                                       django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_start(kind="cases_csv", by=figures.consultant)
    job.refresh_from_db()
    rows = list(csv.DictReader(io.StringIO(Path(job.file.path).read_text())))
    assert {r["cooling_centre_ods"] for r in rows} == {"RGT01"} and len(rows) == 3
    assert ExportRecord.objects.get().scope == "Cases born or cooled at RGT01"


def test_clinician_cannot_start_a_case_export(figures: Personas) -> None:
    assert client_for(figures.clinician).post(reverse("reporting:case_export"), {}).status_code == 403
    assert not ExportJob.objects.exists()


def test_pathway_download_appears_in_the_export_log(figures: Personas) -> None:
    client = client_for(figures.nurse)
    response = client.post(reverse("pathway:export_download"), {"identifiable": "1", "reason": "Register check"})
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]  # the test client streams too; its stubs do not say so
    record = ExportRecord.objects.get()
    event = AuditEvent.objects.get(object_type="pathway.case_export")
    assert (record.audit_event, record.by, record.rows, record.identifiable, record.reason) == (
        event, figures.nurse, 4, True, "Register check")

    log = client_for(figures.lead).get(reverse("reporting:exports")).content.decode()
    assert f'data-export="{record.pk}"' in log and "Register check" in log and "<strong>Yes</strong>" in log


def test_export_cases_command_appears_in_the_export_log(figures: Personas, tmp_path: Path) -> None:
    call_command("export_cases", str(tmp_path / "out.csv"), "--user", "ada", "--pseudonymised",
                 "--reason", "Audit extract", stdout=io.StringIO())
    record = ExportRecord.objects.get()
    assert (record.audit_event, record.by, record.kind, record.rows, record.identifiable, record.reason,
            record.scope) == (AuditEvent.objects.get(object_type="pathway.case_export"), figures.admin_user,
                              "cases_csv", 4, False, "Audit extract", "All cases in the network")


def test_only_case_exports_are_logged_from_the_audit_trail(report: BoardReport, figures: Personas) -> None:
    """Other audited changes (a case edit, a board report) write no export-log row of their own."""
    assert AuditEvent.objects.exclude(action=AuditEvent.Action.EXPORT).exists()
    assert not ExportRecord.objects.exists()


def test_case_export_page_offers_identifiable_only_to_those_allowed(figures: Personas) -> None:
    lead_page = client_for(figures.lead).get(reverse("reporting:case_export")).content.decode()
    nurse_page = client_for(figures.nurse).get(reverse("reporting:case_export")).content.decode()
    assert 'name="identifiable"' not in lead_page and "Start the export" in lead_page
    assert 'name="identifiable"' in nurse_page and 'name="reason"' in nurse_page


def test_service_refuses_exports_to_roles_without_the_action(report: BoardReport, figures: Personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.export_job_start(kind="report_pdf", by=figures.consultant, report=report)
    with pytest.raises(PermissionDenied):
        services.export_job_start(kind="cases_csv", by=figures.clinician)
    assert not ExportJob.objects.exists()
