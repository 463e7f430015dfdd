"""Every write of the reporting app: board reports, export jobs, the export log and the monthly email.

Views, tasks and commands call these; each write is audited (core.audit) in the same transaction.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core import audit
from core.models import AuditEvent
from core.timeutil import LONDON
from kpis.definitions.base import Level
from kpis.periods import add_months, rolling_period
from pathway import csv_io
from pathway.access import cases_for
from reporting import content as report_content
from reporting import render
from reporting.figures import Scope
from reporting.models import BoardReport, ExportJob, ExportRecord
from units.access import ROLE_ACTIONS, Action, UserLike, may, memberships, network_wide_for
from units.models import Role

logger = logging.getLogger(__name__)
REPORT_OBJECT_TYPE = "reporting.boardreport"
REPORT_EXPORT_OBJECT_TYPE = "reporting.report_export"
EMAIL_OBJECT_TYPE = "reporting.monthly_email"
_REPORT_KINDS = {ExportRecord.Kind.REPORT_PDF: ("pdf", render.write_pdf),
                 ExportRecord.Kind.REPORT_XLSX: ("xlsx", render.write_xlsx),
                 ExportRecord.Kind.REPORT_CSV: ("csv", render.write_csv)}


# --- Board reports -----------------------------------------------------------------------------------------------


def _clean_report(report: BoardReport) -> None:
    """Field rules and the scope and period rules (`BoardReport.clean`), each error naming its field."""
    report.full_clean(exclude=["created_by"])


def _snapshot(report: BoardReport) -> dict[str, object]:
    return {f: getattr(report, f) for f in BoardReport.AUDITED_FIELDS}


@transaction.atomic
def board_report_create(*, values: Mapping[str, Any], by: UserLike) -> BoardReport:
    report = BoardReport(**values, created_by=by)
    _clean_report(report)
    report.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=REPORT_OBJECT_TYPE, object_id=report.pk,
                 summary=f"Board report created: {report.title}",
                 changes=audit.changes({}, _snapshot(report)))
    return report


@transaction.atomic
def board_report_update(*, report: BoardReport, values: Mapping[str, Any], by: UserLike) -> BoardReport:
    report = BoardReport.objects.select_for_update().get(pk=report.pk)
    before = _snapshot(report)
    for name, value in values.items():
        setattr(report, name, value)
    _clean_report(report)
    changes = audit.changes(before, _snapshot(report))
    if changes:
        report.save()
        audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=REPORT_OBJECT_TYPE,
                     object_id=report.pk, changes=changes,
                     summary=f"Board report updated: {audit.field_names(BoardReport, changes)}")
    return report


def board_report_history(report: BoardReport) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type__in=(REPORT_OBJECT_TYPE, REPORT_EXPORT_OBJECT_TYPE),
                                          object_id=str(report.pk)).select_related("actor"))


# --- The export log ----------------------------------------------------------------------------------------------


def export_scope_text(user: UserLike | None) -> str:
    """Which cases a case export covered: what `pathway.access.cases_for(user, EXPORT)` allowed."""
    if user is None:
        return ""
    if network_wide_for(user, Action.EXPORT):
        return "All cases in the network"
    codes = sorted({m.unit.ods_code for m in memberships(user) if Action.EXPORT in ROLE_ACTIONS[m.role]})
    return f"Cases born or cooled at {', '.join(codes)}" if codes else "No cases"


def case_export_record(*, event: AuditEvent) -> ExportRecord:
    """The export-log row for a case CSV export, from the audit row pathway wrote (`csv_io.record_export`,
    announced by `pathway.signals.case_exported`): one log row per export, linked to its audit row."""
    details = event.changes or {}
    return ExportRecord.objects.create(
        at=event.at, by=event.actor, kind=ExportRecord.Kind.CASES_CSV, what="Case CSV (HIE dataset v1)",
        scope=export_scope_text(event.actor), rows=int(details.get("rows", 0)),
        identifiable=bool(details.get("identifiable")), reason=str(details.get("reason", "")), audit_event=event)


def export_record(*, by: UserLike | None, kind: str, what: str, scope: str, rows: int, reason: str = "",
                  suppressed: bool = False, object_type: str = REPORT_EXPORT_OBJECT_TYPE,
                  object_id: object = "") -> ExportRecord:
    """A report or email export: its audit row and its export-log row, together."""
    label = ExportRecord.Kind(kind).label
    event = audit.record(actor=by, action=AuditEvent.Action.EXPORT, object_type=object_type, object_id=object_id,
                         summary=f"{label}: {what} ({rows} rows)",
                         changes={"kind": kind, "rows": rows, "scope": scope, "identifiable": False,
                                  "small_numbers_suppressed": suppressed, "reason": reason})
    return ExportRecord.objects.create(at=event.at, by=event.actor, kind=kind, what=what[:255], scope=scope[:255],
                                       rows=rows, identifiable=False, small_numbers_suppressed=suppressed,
                                       reason=reason, audit_event=event)


def exports_visible_to(user: UserLike) -> Any:
    """The export log: network leads and administrators see it all (`Action.REPORT`)."""
    records = ExportRecord.objects.select_related("by")
    return records if may(user, Action.REPORT) else records.none()


# --- Export jobs -----------------------------------------------------------------------------------------------------


def export_job_start(*, kind: str, by: UserLike, report: BoardReport | None = None, identifiable: bool = False,
                     reason: str = "") -> ExportJob:
    """Record the job and queue it after commit (inline without Redis). Refusals name the field and rule."""
    if kind in _REPORT_KINDS and not may(by, Action.REPORT):
        raise PermissionDenied("Board reports need the network lead or administrator role")
    if kind == ExportRecord.Kind.CASES_CSV and not may(by, Action.EXPORT):
        raise PermissionDenied("Exporting cases needs a role that may export")
    if kind in _REPORT_KINDS and report is None:
        raise ValidationError({"report": "Choose the report to export"})
    if kind == ExportRecord.Kind.CASES_CSV:
        report = None
        reason = reason.strip()
        if identifiable and (refusal := csv_io.identifiable_refusal(by, reason)):
            raise ValidationError({"reason" if csv_io.may_export_identifiable(by) else "identifiable": refusal})
    elif kind not in _REPORT_KINDS:
        raise ValidationError({"kind": f"Unknown export kind {kind!r}"})
    job = ExportJob.objects.create(kind=kind, report=report, identifiable=identifiable, reason=reason, created_by=by,
                                   expires_at=timezone.now() + timedelta(hours=settings.EXPORT_RETENTION_HOURS))
    from reporting.tasks import run_export_job as run_export_job_task

    transaction.on_commit(lambda: run_export_job_task.delay(job.pk))
    return job


def _progress(job: ExportJob) -> render.Progress:
    def report(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress_done=done)

    return report


@contextmanager
def _target(job: ExportJob, filename: str) -> Iterator[tuple[str, IO[bytes]]]:
    """A new file under MEDIA_ROOT/exports, written in place (no copy of a large file); deleted again if
    writing fails, so no half-written file is ever offered."""
    name = default_storage.get_available_name(f"exports/{job.pk}-{filename}")
    path = default_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path, "wb") as out:
            yield name, out
    except BaseException:
        _discard(name)
        raise


def _write_report(job: ExportJob) -> tuple[str, str, int, report_content.ReportContent]:
    assert job.report is not None
    extension, write = _REPORT_KINDS[ExportRecord.Kind(job.kind)]
    built = report_content.build(job.report)
    filename = f"{slugify(job.report.title)[:60] or 'report'}-{job.report.period_key}.{extension}"
    with _target(job, filename) as (name, out):
        rows = write(built, out)
    return name, filename, rows, built


def _record_report(job: ExportJob, rows: int, built: report_content.ReportContent) -> ExportRecord:
    report = job.report
    assert report is not None
    return export_record(by=job.created_by, kind=job.kind, what=report.title, scope=built.scope.describe(),
                         rows=rows, suppressed=report.for_external, object_id=report.pk,
                         reason="For sharing outside the network" if report.for_external else "")


def _write_cases(job: ExportJob) -> tuple[str, str, int]:
    cases = csv_io.export_queryset(cases_for(job.created_by, Action.EXPORT))
    ExportJob.objects.filter(pk=job.pk).update(progress_total=cases.count())
    kind = "identifiable" if job.identifiable else "pseudonymised"
    filename = f"hie-dataset-{timezone.localtime():%Y%m%d-%H%M}-{kind}.csv"
    with _target(job, filename) as (name, out):
        rows = render.write_cases_csv(cases, out, identifiable=job.identifiable, progress=_progress(job))
    return name, filename, rows


def _record_cases(job: ExportJob, rows: int) -> ExportRecord:
    # The same audit row as pathway's own download, which the export log records on `case_exported`.
    event = csv_io.record_export(by=job.created_by, rows=rows, identifiable=job.identifiable, reason=job.reason)
    return ExportRecord.objects.get(audit_event=event)


def export_job_run(job: ExportJob) -> ExportJob:
    """Make the file, then log it and mark the job ready in one transaction. The file is written outside
    any transaction so the progress a page polls is committed as it goes. On failure the job says why, the
    partial file is deleted, and the error propagates (Celery marks the task failed)."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    name = ""
    try:
        if job.kind == ExportRecord.Kind.CASES_CSV:
            name, filename, rows = _write_cases(job)
            with transaction.atomic():
                record = _record_cases(job, rows)
        else:
            name, filename, rows, built = _write_report(job)
            with transaction.atomic():
                record = _record_report(job, rows, built)
        job.refresh_from_db(fields=["progress_total"])
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.SUCCEEDED, finished_at=timezone.now(), file=name, filename=filename,
            record=record, progress_done=job.progress_total or rows, progress_total=job.progress_total or rows)
    except Exception as exc:
        logger.exception("Export job %s failed", job.pk)
        _discard(name)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now(), file="")
        raise
    job.refresh_from_db()
    return job


def _discard(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def export_jobs_purge_expired(now: datetime | None = None) -> int:
    """Delete files past their expiry (the hourly beat entry); the job and log rows stay."""
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lte=now or timezone.now()).exclude(file=""):
        _discard(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged


# --- Monthly email to network leads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyPlan:
    period_key: str
    subject: str
    recipients: list[str]
    body: str


def monthly_period(today: date) -> str:
    """The 12 months ending with last month (the month just finished)."""
    return rolling_period(add_months(today.replace(day=1), -1)).key


def network_lead_emails() -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, memberships__role=Role.NETWORK_LEAD, memberships__unit__active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def monthly_plan(now: datetime | None = None) -> tuple[MonthlyPlan, report_content.ReportContent]:
    today = (now or timezone.now()).astimezone(LONDON).date()
    key = monthly_period(today)
    built = report_content.build_for(Scope(Level.NETWORK, None, key), title="Monthly neuroprotection KPI report",
                                     external=False)
    subject = f"Neuroprotection KPIs: {built.period_label}"
    lines = [f"{line.kpi.title}: {line.result}" + (f" ({line.counts})" if line.counts else "")
             for line in built.lines]
    body = "\n".join([f"Network KPIs for the {built.period_label}.", "", *lines, "",
                      "The full report is attached (PDF).", "This email is for network leads only."])
    return MonthlyPlan(key, subject, network_lead_emails(), body), built


def monthly_report_send(*, dry_run: bool = False, now: datetime | None = None) -> MonthlyPlan:
    """Email the network report to every network lead; a dry run builds it and sends nothing."""
    plan, built = monthly_plan(now)
    if dry_run or not plan.recipients:
        return plan
    import io

    pdf = io.BytesIO()
    render.write_pdf(built, pdf)
    message = EmailMultiAlternatives(plan.subject, plan.body, settings.DEFAULT_FROM_EMAIL, bcc=plan.recipients)
    message.attach(f"neuroprotection-kpis-{plan.period_key}.pdf", pdf.getvalue(), "application/pdf")
    message.send()
    export_record(by=None, kind=ExportRecord.Kind.MONTHLY_EMAIL, what=plan.subject,
                  scope=built.scope.describe(), rows=len(built.lines), object_type=EMAIL_OBJECT_TYPE,
                  object_id=plan.period_key, reason=f"Monthly report to network leads: {', '.join(plan.recipients)}")
    return plan
