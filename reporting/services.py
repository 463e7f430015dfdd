"""Every write of the reporting app: board reports, export jobs, the export log and the monthly email.

Views, tasks and commands call these; each write is audited (core.audit) in the same transaction.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from core import audit
from core.exceptions import EditConflict
from core.files import open_private, private_directory
from core.history import HistoryEntry, history_entry
from core.models import AuditEvent
from core.timeutil import LONDON
from kpis import dashboard
from kpis.definitions.base import Level
from kpis.periods import add_months, rolling_period
from pathway import csv_io
from pathway.access import cases_for
from reporting import access as report_access
from reporting import charts as report_charts
from reporting import content as report_content
from reporting import render
from reporting import scope as report_scope
from reporting.figures import Scope
from reporting.models import REPORT_STEPS, BoardReport, ExportJob, ExportRecord, Section
from reporting.periods import ReportPeriod
from units.access import (
    ROLE_ACTIONS,
    Action,
    UserLike,
    home_network_ids,
    may,
    memberships,
    network_wide_for,
)
from units.models import Role, default_network_id

logger = logging.getLogger(__name__)
REPORT_OBJECT_TYPE = "reporting.boardreport"
REPORT_EXPORT_OBJECT_TYPE = "reporting.report_export"
EMAIL_OBJECT_TYPE = "reporting.monthly_email"
_REPORT_KINDS: dict[str, tuple[str, Callable[[Any, IO[bytes], BoardReport], int]]] = {
    ExportRecord.Kind.REPORT_PDF: ("pdf", render.write_pdf),
    ExportRecord.Kind.REPORT_XLSX: ("xlsx", render.write_xlsx),
    ExportRecord.Kind.REPORT_CSV: ("csv", lambda data, out, _report: render.write_csv(data, out))}


# --- Board reports -----------------------------------------------------------------------------------------------


def _clean_report(report: BoardReport) -> None:
    """Field rules and the scope and period rules (`BoardReport.clean`), each error naming its field."""
    if report.level == Level.NETWORK and not report.area_code and report.org_id is None:
        report.area_code = report_scope.default_network_code()  # "the network": the deployment's one
    report.full_clean(exclude=["created_by", "published_by", "corrects"])


def _snapshot(report: BoardReport) -> dict[str, object]:
    """The audited fields, sections by their labels (as the report form shows them)."""
    values: dict[str, object] = {f: getattr(report, f) for f in BoardReport.AUDITED_FIELDS}
    values["sections"] = [Section(s).label for s in report.sections or []]
    return values


@transaction.atomic
def board_report_create(*, values: Mapping[str, Any], by: User) -> BoardReport:
    report = BoardReport(**values, created_by=by)
    _clean_report(report)
    report.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=REPORT_OBJECT_TYPE, object_id=report.pk,
                 summary=f"Board report created: {report.title}",
                 changes=audit.changes({}, _snapshot(report)))
    transaction.on_commit(lambda: report_charts.prepare_later(report.pk))  # a worker draws its charts ahead
    return report


def _refuse_if_not_theirs(report: BoardReport, by: UserLike) -> None:
    """A report is changed only by someone who could make it (`reporting.access`): the views already answer 404
    for another network's report; this keeps any other caller to the same rule."""
    if not report_access.reports_changeable_by(by).filter(pk=report.pk).exists():
        raise PermissionDenied("This board report is not for an organisation of your networks")


def _refuse_if_published(report: BoardReport) -> None:
    if report.is_published:
        raise EditConflict("This report is published and signed off, so it cannot be changed. To change a figure "
                           "or a word, make a correction: a new version that says what changed.")


@transaction.atomic
def board_report_update(*, report: BoardReport, values: Mapping[str, Any], by: UserLike,
                        expected_version: int | None = None) -> BoardReport:
    """Apply changes to a draft; refuse (EditConflict) a published report, or a save made from an older
    version than the stored one (someone else saved in between). `expected_version=None` is for callers that
    have just read the report themselves."""
    _refuse_if_not_theirs(report, by)
    report = BoardReport.objects.select_for_update().get(pk=report.pk)
    _refuse_if_published(report)
    if expected_version is not None and report.version != expected_version:
        raise EditConflict(f"Someone else changed this report (now version {report.version}) after you opened it. "
                           "Nothing was saved: reload it to see their changes, then make yours again.")
    before = _snapshot(report)
    for name, value in values.items():
        setattr(report, name, value)
    _clean_report(report)
    changes = audit.changes(before, _snapshot(report))
    if changes:
        report.version += 1
        report.save()
        audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=REPORT_OBJECT_TYPE,
                     object_id=report.pk, changes=changes,
                     summary=f"Board report updated: {audit.field_names(BoardReport, changes)}")
        transaction.on_commit(lambda: report_charts.prepare_later(report.pk))
    return report


def may_sign_off(user: UserLike) -> bool:
    """Only a network lead signs a board report off (an administrator runs the system, not the network)."""
    return any(m.role == Role.NETWORK_LEAD for m in memberships(user))


@transaction.atomic
def board_report_publish(*, report: BoardReport, by: UserLike, expected_version: int) -> BoardReport:
    """Sign the report off: store a snapshot of everything it shows (figures, charts, inputs, the KPI run and
    definition versions they came from), record who and when, and lock it."""
    if not may_sign_off(by):
        raise PermissionDenied("Only a network lead can sign off a board report")
    _refuse_if_not_theirs(report, by)
    report = BoardReport.objects.select_for_update(of=("self",)).select_related("org", "corrects").get(pk=report.pk)
    _refuse_if_published(report)
    if report.version != expected_version:
        raise EditConflict(f"This report was changed (now version {report.version}) after you opened it. Nothing "
                           "was published: look at the preview again, then publish.")
    if report.corrects_id and not report.what_changed.strip():
        raise ValidationError({"what_changed": "Say what changed from the version this one corrects"})
    # The charts are stored as drawn (SVG, for the page) and as pictures (PNG, for the PDF).
    report.snapshot = render.with_pictures(report_content.build(report))
    report.status, report.published_at = BoardReport.Status.PUBLISHED, timezone.now()
    report.published_by = by  # type: ignore[assignment]  # a signed-in user (may_sign_off above)
    report.version += 1
    report.save()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=REPORT_OBJECT_TYPE, object_id=report.pk,
                 summary=f"Board report published and signed off: version {report.edition}",
                 changes={"Status": ["Draft", f"Published, version {report.edition}"]})
    return report


@transaction.atomic
def board_report_correct(*, report: BoardReport, by: UserLike) -> BoardReport:
    """A correction of a published report: a new draft, the next version, that must say what changed. The
    published one stays as it was. An existing draft correction is returned rather than a second one."""
    if not may_sign_off(by):
        raise PermissionDenied("Only a network lead can correct a published board report")
    _refuse_if_not_theirs(report, by)
    if not report.is_published:
        raise ValidationError({"status": "Only a published report is corrected; a draft is simply edited"})
    existing = report.corrections.filter(status=BoardReport.Status.DRAFT).first()
    if existing is not None:
        return existing
    fields = ("level", "org", "area_code", "period_key", "title", "for_external", "sections", "impact_from",
              *BoardReport.NARRATIVE_FIELDS)
    correction = BoardReport(**{f: getattr(report, f) for f in fields}, corrects=report, edition=report.edition + 1,
                             created_by=by)  # type: ignore[misc]  # a signed-in user (may_sign_off above)
    _clean_report(correction)
    correction.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=REPORT_OBJECT_TYPE, object_id=correction.pk,
                 summary=f"Correction started: version {correction.edition} of “{report.title}”",
                 changes={"Corrects": ["", f"Version {report.edition}"]})
    return correction


def report_data(report: BoardReport, *, step: report_content.Step | None = None) -> dict[str, Any]:
    """What the report shows: its snapshot once published, the live figures while it is a draft."""
    if report.is_published and report.snapshot:
        return report.snapshot
    return report_content.build(report, step=step or (lambda _: None))


def board_report_history(report: BoardReport) -> list[HistoryEntry]:
    """The report's audit trail as people read it: fields by their labels (`core.history`)."""
    events = AuditEvent.objects.filter(object_type__in=(REPORT_OBJECT_TYPE, REPORT_EXPORT_OBJECT_TYPE),
                                       object_id=str(report.pk)).select_related("actor")
    return [history_entry(event, _show_change) for event in events]


def _show_change(name: str, old: str, new: str) -> tuple[str, str, str]:
    return audit.field_names(BoardReport, [name]).capitalize(), old, new


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


def export_record_networks(record: ExportRecord) -> None:
    """File a new export-log row under the networks the exporting user works in (`home_network_ids`: their
    units' networks, a regional lead's whole region), or the deployment's first network for a scheduled job
    or a user of no unit. Called for every new row, whichever app wrote it (`reporting.apps`)."""
    ids = home_network_ids(record.by) if record.by is not None else frozenset()
    first = default_network_id()
    record.networks.set(ids or ({first} if first is not None else set()))


def exports_visible_to(user: UserLike) -> Any:
    """The export log: the exports filed under the user's networks (`report_access.readable_network_ids`), so a
    network lead sees their network's exports and not another network's (issue 18)."""
    records = ExportRecord.objects.select_related("by")
    ids = report_access.readable_network_ids(user)
    if not ids:
        return records.none()
    through = ExportRecord.networks.through.objects.filter(exportrecord_id=OuterRef("pk"), network_id__in=ids)
    return records.filter(Exists(through))


# --- Export jobs -----------------------------------------------------------------------------------------------------


def export_job_start(*, kind: str, by: User, report: BoardReport | None = None, identifiable: bool = False,
                     reason: str = "") -> ExportJob:
    """Record the job and queue it after commit (inline without Redis). Refusals name the field and rule."""
    if kind in _REPORT_KINDS and report is not None and not report_access.reports_readable_by(by).filter(
            pk=report.pk).exists():
        # Only a report the user may read (its organisation within their networks, or their region's).
        raise PermissionDenied("This board report is not one of your networks'")
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
    private_directory(os.path.dirname(path))  # 0700 directory, 0600 file: the service's user only
    out = open_private(path, exclusive=True)  # never someone else's file, so only ours is discarded below
    try:
        with out:
            yield name, out
    except BaseException:
        _discard(name)
        raise


PUBLISHED_STEP = "Reading the published figures"


def _step(job: ExportJob) -> report_content.Step:
    """Record the step the job has reached, committed at once so the job page shows it."""
    def reached(step: str) -> None:
        done = REPORT_STEPS.index(step) if step in REPORT_STEPS else 1
        ExportJob.objects.filter(pk=job.pk).update(step=step, progress_done=done, progress_total=len(REPORT_STEPS))

    return reached


# A published report's files, made once from its snapshot and kept: the field of `BoardReport` that holds each.
_PUBLISHED_FIELDS: dict[str, str] = {ExportRecord.Kind.REPORT_PDF: "pdf", ExportRecord.Kind.REPORT_XLSX: "xlsx",
                                     ExportRecord.Kind.REPORT_CSV: "csv"}


def _published_file(report: BoardReport, kind: str, data: Mapping[str, Any], step: report_content.Step) -> bytes:
    """A published report's file of this kind: made once from its snapshot (the PDF takes seconds, the
    spreadsheet about one) and kept, so every later download is that same file. A correction is another
    report (its own version), so it makes and keeps its own."""
    field = _PUBLISHED_FIELDS[kind]
    stored_name = getattr(report, field).name
    if stored_name and default_storage.exists(stored_name):
        with default_storage.open(stored_name, "rb") as stored:
            return stored.read()
    step("Laying out the file")
    extension, write = _REPORT_KINDS[ExportRecord.Kind(kind)]
    buffer = io.BytesIO()
    write(data, buffer, report)
    name = default_storage.save(f"published/report-{report.pk}-v{report.edition}.{extension}",
                                ContentFile(buffer.getvalue()))
    BoardReport.objects.filter(pk=report.pk).update(**{field: name})
    setattr(report, field, name)
    return buffer.getvalue()


def _write_report(job: ExportJob) -> tuple[str, str, int, dict[str, Any]]:
    report = job.report
    assert report is not None
    step = _step(job)
    extension, write = _REPORT_KINDS[ExportRecord.Kind(job.kind)]
    if report.is_published:
        step(PUBLISHED_STEP)
    data = report_data(report, step=step)
    filename = report_filename(report, extension)
    with _target(job, filename) as (name, out):
        if report.is_published:
            out.write(_published_file(report, job.kind, data, step))
            pdf = job.kind == ExportRecord.Kind.REPORT_PDF
            rows = render.figure_count(data) if pdf else len(data["layout"]["rows"])
        else:
            step("Laying out the file")
            rows = write(data, out, report)
        step("Saving the file")
    return name, filename, rows, data


def report_filename(report: BoardReport, extension: str) -> str:
    """Title, organisation, period and version: "board-report-nhs-trust-rgt-fy2024-v1.pdf"."""
    version = f"v{report.edition}" if report.is_published else "draft"
    where = report.org.ods_code if report.org else report.area_code
    parts = [slugify(report.title)[:60] or "report", slugify(f"{report.level.replace('_', ' ')} {where}"),
             report.period_key.lower(), version]
    return f"{'-'.join(parts)}.{extension}"


def _record_report(job: ExportJob, rows: int, data: Mapping[str, Any]) -> ExportRecord:
    report = job.report
    assert report is not None
    state = f"published version {report.edition}" if report.is_published else "draft"
    return export_record(by=job.created_by, kind=job.kind, what=f"{report.title} ({state})",
                         scope=data["scope"]["describe"], rows=rows, suppressed=report.for_external,
                         object_id=report.pk, reason="For sharing outside the network" if report.for_external else "")


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


def monthly_plan(now: datetime | None = None) -> tuple[MonthlyPlan, dict[str, Any]]:
    today = (now or timezone.now()).astimezone(LONDON).date()
    key = monthly_period(today)
    stored = dashboard.stored_period(key)
    period = ReportPeriod(key, "rolling", stored.start, stored.end, key, dashboard.period_label(stored))
    built = report_content.build_for(Scope.deployment_network(period), title="Monthly neuroprotection KPI report",
                                     external=False, chosen=[Section.HIE])
    subject = f"Neuroprotection KPIs: {period.label}"
    hie = built["sections"][0]["tables"][0]
    lines = [f"{row[0][0].splitlines()[0]}: {row[1][0]}" + (f" ({row[3][0]} of {row[4][0]})" if row[4][1] else "")
             for row in hie["rows"]]
    body = "\n".join([f"Network KPIs for the {period.label}.", "", *lines, "",
                      "The full report is attached (PDF).", "This email is for network leads only."])
    return MonthlyPlan(key, subject, network_lead_emails(), body), built


def monthly_report_send(*, dry_run: bool = False, now: datetime | None = None) -> MonthlyPlan:
    """Email the network report to every network lead; a dry run builds it and sends nothing."""
    plan, built = monthly_plan(now)
    if dry_run or not plan.recipients:
        return plan
    pdf = io.BytesIO()
    render.write_pdf(built, pdf)
    message = EmailMultiAlternatives(plan.subject, plan.body, settings.DEFAULT_FROM_EMAIL, bcc=plan.recipients)
    message.attach(f"neuroprotection-kpis-{plan.period_key}.pdf", pdf.getvalue(), "application/pdf")
    message.send()
    export_record(by=None, kind=ExportRecord.Kind.MONTHLY_EMAIL, what=plan.subject,
                  scope=built["scope"]["describe"], rows=render.figure_count(built), object_type=EMAIL_OBJECT_TYPE,
                  object_id=plan.period_key, reason=f"Monthly report to network leads: {', '.join(plan.recipients)}")
    return plan
