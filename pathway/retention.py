"""Retention: cases past the configured retention period are deleted with everything that describes them.

A case is due when its baby was born more than `CASE_RETENTION_YEARS` years ago (UK date; default 25, the
NHS Records Management Code of Practice keeps a child's records to the 25th birthday). Deleting one removes,
in one transaction: the case and its temperatures, KPI outcomes and attribution, its family support log
(contacts and invitations), and its history (the audit rows of the case and of its log). Export files still
on disk may hold due cases, so every stored case CSV is deleted too (the export log rows, counts only, stay).
One audit row records every run (even one with nothing due) and its counts; it names no case. The periods
of the deleted cases are recomputed after commit, so no figure counts a deleted baby.

`python manage.py apply_retention [--dry-run]` runs it (docs/deployment.md, "Retention").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from core.timeutil import LONDON
from families.models import FamilySupportLog, Invitation, SupportContact
from kpis import services as kpi_services
from pathway.models import Case, CaseQuerySet, TemperatureObservation
from reporting.models import ExportJob, ExportRecord
from units.access import UserLike

OBJECT_TYPE = "pathway.retention"
DELETE = "delete"  # as training's deletions: AuditEvent.Action has no "delete" of its own
# Audit rows that are a case's history: the case's own, and its family support log's (object_id = case pk).
HISTORY_TYPES = ("pathway.case", "families.supportlog")


@dataclass
class RetentionResult:
    born_before: date
    cases: int = 0
    temperatures: int = 0
    family_logs: int = 0
    history_rows: int = 0
    export_files: int = 0
    dry_run: bool = False


def cutoff(today: date | None = None, years: int | None = None) -> date:
    """The first UK birth date that is kept: `years` years before today (29 February → 28 February)."""
    today = today or timezone.localdate()
    years = settings.CASE_RETENTION_YEARS if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def due_cases(today: date | None = None) -> CaseQuerySet:
    """Every case (entered in error too) born before the cutoff, UK time."""
    first_kept = datetime.combine(cutoff(today), time.min, tzinfo=LONDON)
    return Case.objects.filter(birth_datetime__lt=first_kept)


def _history(ids: list[str]) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type__in=HISTORY_TYPES, object_id__in=ids)


def _stored_case_exports() -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(kind=ExportRecord.Kind.CASES_CSV).exclude(file="")


def _delete_family_logs(cases: CaseQuerySet) -> int:
    logs = FamilySupportLog.objects.filter(case__in=cases)
    Invitation.objects.filter(log__in=logs).delete()
    SupportContact.objects.filter(log__in=logs).delete()
    deleted, _ = logs.delete()
    return deleted


def _delete_export_files() -> int:
    jobs = list(_stored_case_exports())
    for job in jobs:
        if default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)
    _stored_case_exports().filter(pk__in=[job.pk for job in jobs]).update(file="")
    return len(jobs)


def apply_retention(*, dry_run: bool = False, by: UserLike | None = None, today: date | None = None
                    ) -> RetentionResult:
    """Delete the due cases and what describes them (or, with dry_run, only count them); audited."""
    due = due_cases(today)
    ids = list(due.values_list("pk", flat=True))
    keys = [str(pk) for pk in ids]
    result = RetentionResult(born_before=cutoff(today), dry_run=dry_run, cases=len(ids),
                             temperatures=TemperatureObservation.objects.filter(case_id__in=ids).count(),
                             family_logs=_family_log_count(ids), history_rows=_history(keys).count(),
                             export_files=_stored_case_exports().count() if ids else 0)
    if dry_run:
        return result
    with transaction.atomic():
        cases = Case.objects.select_for_update().filter(pk__in=ids)
        periods = {p.key for case in cases for p in kpi_services.periods_for_case(case)}
        if ids:
            _delete_family_logs(cases)
            _history(keys).delete()
            cases.delete()  # temperatures, KPI outcomes and attribution go with it (CASCADE)
            result.export_files = _delete_export_files()
        # Audited even when nothing was due: the record shows retention is applied.
        audit.record(actor=by, action=DELETE, object_type=OBJECT_TYPE,
                     summary=f"Retention: deleted {result.cases} case{'' if result.cases == 1 else 's'} born before "
                             f"{result.born_before:%d/%m/%Y} ({settings.CASE_RETENTION_YEARS} years)",
                     changes={k: str(v) if isinstance(v, date) else v for k, v in asdict(result).items()})
        if periods:  # after commit: no figure keeps counting a deleted baby
            kpi_services.queue_period_keys(periods, by=by)
    return result


def _family_log_count(ids: list[int]) -> int:
    return FamilySupportLog.objects.filter(case_id__in=ids).count()
