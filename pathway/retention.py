"""Retention: records past their retention period are deleted, and nothing left behind names them.

A HIE case is due when its baby was born more than `CASE_RETENTION_YEARS` years ago (UK date; default 25, the
NHS Records Management Code of Practice keeps a child's records to the 25th birthday); a POP record when born
more than `POP_RETENTION_YEARS` ago (by default the same figure: both are the neonatal record of a child).

Deleting a case removes, in one transaction: the case and its temperatures, KPI outcomes and attribution, its
worklist acknowledgements, its family support log (contacts and invitations), and the rows that are wholly
about it (the audit rows of the case, of its log and of its acknowledgements). A POP record goes with its
audit rows. Export files still on disk may hold due cases, so every stored case CSV is deleted too (the export
log rows, counts only, stay), as is any import upload that names a due record.

Other rows may name a deleted record in passing (an import's audit row listing the references it overwrote,
an export's reason, an import job's error table, a note, an API read's address): they stay, with each case
reference, NHS number (the record's present and former ones) and record address rewritten
(`core.forget.scrub_rows`), and searches remembered in sessions for them are forgotten. One audit row records
every run (even one with nothing due): who, when, the cutoffs and the counts; it names no record. The KPI
periods of the deleted records are recomputed after commit, so no figure counts a deleted baby.

`python manage.py apply_retention [--dry-run]` runs it (docs/deployment.md, "Retention").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core import audit, forget, search
from core.models import AuditEvent
from core.timeutil import LONDON
from families.models import FamilySupportLog, Invitation, SupportContact
from kpis import engine
from kpis import services as kpi_services
from pathway.models import BabyRecord, Case, CaseQuerySet, ImportJob, TemperatureObservation, WorklistAcknowledgement
from pathway.worklist import ACK_OBJECT_TYPE
from pop import services as pop_services
from pop.models import PopRecord
from reporting.models import ExportJob, ExportRecord
from units.access import UserLike

OBJECT_TYPE = "pathway.retention"
DELETE = "delete"  # as training's deletions: AuditEvent.Action has no "delete" of its own
# Audit rows that are a case's history: the case's own, and its family support log's (object_id = case pk).
HISTORY_TYPES = ("pathway.case", "families.supportlog")
POP_HISTORY_TYPES = (pop_services.OBJECT_TYPE,)
# What names a record in the rows it leaves: its reference and NHS number, present or former (its history).
IDENTITY_FIELDS = ("case_ref", "nhs_number")


@dataclass
class RetentionResult:
    born_before: date
    cases: int = 0
    temperatures: int = 0
    family_logs: int = 0
    history_rows: int = 0
    export_files: int = 0
    pop_born_before: date | None = None
    pop_records: int = 0
    pop_history_rows: int = 0
    import_files: int = 0
    rows_pseudonymised: int = 0
    searches_forgotten: int = 0
    dry_run: bool = False


def cutoff(today: date | None = None, years: int | None = None) -> date:
    """The first UK birth date that is kept: `years` years before today (29 February → 28 February)."""
    today = today or timezone.localdate()
    years = settings.CASE_RETENTION_YEARS if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def _born_before(first_kept: date) -> datetime:
    return datetime.combine(first_kept, time.min, tzinfo=LONDON)


def due_cases(today: date | None = None) -> CaseQuerySet:
    """Every case (entered in error too) born before the cutoff, UK time."""
    return Case.objects.filter(birth_datetime__lt=_born_before(cutoff(today)))


def due_pop_records(today: date | None = None) -> QuerySet[PopRecord]:
    """Every POP record (entered in error too) born before the POP cutoff, UK time."""
    return PopRecord.objects.filter(birth_datetime__lt=_born_before(cutoff(today, settings.POP_RETENTION_YEARS)))


def _history(ids: list[int], ack_ids: Sequence[int] = ()) -> QuerySet[AuditEvent]:
    return (AuditEvent.objects.filter(object_type__in=HISTORY_TYPES, object_id__in=[str(pk) for pk in ids])
            | AuditEvent.objects.filter(object_type=ACK_OBJECT_TYPE, object_id__in=[str(pk) for pk in ack_ids]))


def _pop_history(ids: list[int]) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type__in=POP_HISTORY_TYPES, object_id__in=[str(pk) for pk in ids])


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


def _identifiers(model: type[BabyRecord], ids: list[int], history: QuerySet[AuditEvent], path: str
                 ) -> forget.Identifiers:
    """The references, NHS numbers (now and in their history) and addresses of the due records of one model."""
    refs: set[str] = set()
    numbers: set[str] = set()
    for ref, number in model._default_manager.filter(pk__in=ids).values_list(*IDENTITY_FIELDS):
        refs.add(ref)
        numbers.add(number)
    for changes in history.values_list("changes", flat=True):
        for name, found in (("case_ref", refs), ("nhs_number", numbers)):
            value = changes.get(name) if isinstance(changes, dict) else None
            if isinstance(value, list):
                found.update(str(v) for v in value)
    return forget.Identifiers(refs=frozenset(r for r in refs if r), nhs_numbers=frozenset(n for n in numbers if n),
                              paths=frozenset(f"{path}/{pk}/" for pk in ids))


def _not_kept(identifiers: forget.Identifiers, due: dict[type[BabyRecord], list[int]]) -> forget.Identifiers:
    """Without what a kept record still holds (a baby with a kept record in the other dataset keeps its number)."""
    refs, numbers = set(identifiers.refs), set(identifiers.nhs_numbers)
    for model, ids in due.items():
        kept = model._default_manager.exclude(pk__in=ids)
        refs -= set(kept.filter(case_ref__in=refs).values_list("case_ref", flat=True))
        numbers -= set(kept.filter(nhs_number__in=numbers).values_list("nhs_number", flat=True))
    return forget.Identifiers(refs=frozenset(refs), nhs_numbers=frozenset(numbers), paths=identifiers.paths)


def _names_one(text: str, identifiers: forget.Identifiers) -> bool:
    return any(exact.search(text) for _, exact in identifiers.patterns())


def _delete_import_files(identifiers: forget.Identifiers, *, write: bool) -> int:
    """Uploads still kept (a job that never finished) that name a due record; a running job keeps its own."""
    deleted = 0
    for job in ImportJob.objects.exclude(file="").exclude(status=ImportJob.Status.RUNNING):
        if not default_storage.exists(job.file.name):
            continue
        with default_storage.open(job.file.name, "rb") as upload:
            text = upload.read().decode("utf-8-sig", errors="replace")
        if _names_one(text, identifiers):
            deleted += 1
            if write:
                default_storage.delete(job.file.name)
                ImportJob.objects.filter(pk=job.pk).update(file="")
    return deleted


def _merged(a: forget.Identifiers, b: forget.Identifiers) -> forget.Identifiers:
    return forget.Identifiers(refs=a.refs | b.refs, nhs_numbers=a.nhs_numbers | b.nhs_numbers, paths=a.paths | b.paths)


def apply_retention(*, dry_run: bool = False, by: UserLike | None = None, today: date | None = None
                    ) -> RetentionResult:
    """Delete the due records and what describes them, and rewrite what names them (or, with dry_run, only
    count them); audited."""
    with transaction.atomic():
        ids = list(due_cases(today).select_for_update().values_list("pk", flat=True))
        pop_ids = list(due_pop_records(today).select_for_update().values_list("pk", flat=True))
        ack_ids = list(WorklistAcknowledgement.objects.filter(case_id__in=ids).values_list("pk", flat=True))
        identifiers = _not_kept(_merged(_identifiers(Case, ids, _history(ids), "cases"),
                                        _identifiers(PopRecord, pop_ids, _pop_history(pop_ids), "pop")),
                                {Case: ids, PopRecord: pop_ids})
        result = RetentionResult(
            born_before=cutoff(today), pop_born_before=cutoff(today, settings.POP_RETENTION_YEARS), dry_run=dry_run,
            cases=len(ids), temperatures=TemperatureObservation.objects.filter(case_id__in=ids).count(),
            family_logs=FamilySupportLog.objects.filter(case_id__in=ids).count(),
            history_rows=_history(ids, ack_ids).count(), export_files=_stored_case_exports().count() if ids else 0,
            pop_records=len(pop_ids), pop_history_rows=_pop_history(pop_ids).count())
        if dry_run:
            _count_leftovers(result, identifiers, write=False)
            return result
        periods = _periods(ids, pop_ids)
        if ids:
            _delete_family_logs(Case.objects.filter(pk__in=ids))
            _history(ids, ack_ids).delete()
            Case.objects.filter(pk__in=ids).delete()  # temperatures, acknowledgements, KPI outcomes (CASCADE)
            result.export_files = _delete_export_files()
        if pop_ids:
            _pop_history(pop_ids).delete()
            PopRecord.objects.filter(pk__in=pop_ids).delete()
        _count_leftovers(result, identifiers, write=True)
        # Audited even when nothing was due: the record shows retention is applied.
        audit.record(actor=by, action=DELETE, object_type=OBJECT_TYPE, summary=_summary(result),
                     changes={k: str(v) if isinstance(v, date) else v for k, v in asdict(result).items()})
        _queue_recomputes(periods, by)
    return result


def _count_leftovers(result: RetentionResult, identifiers: forget.Identifiers, *, write: bool) -> None:
    result.import_files = _delete_import_files(identifiers, write=write)
    result.rows_pseudonymised = forget.scrub_rows(identifiers, write=write)
    result.searches_forgotten = forget.scrub_sessions(identifiers, search.SESSION_KEY, write=write)


def _summary(result: RetentionResult) -> str:
    return (f"Retention: deleted {result.cases} case{'' if result.cases == 1 else 's'} born before "
            f"{result.born_before:%d/%m/%Y} ({settings.CASE_RETENTION_YEARS} years) and {result.pop_records} POP "
            f"record{'' if result.pop_records == 1 else 's'} born before {result.pop_born_before:%d/%m/%Y} "
            f"({settings.POP_RETENTION_YEARS} years)")


def _periods(ids: list[int], pop_ids: list[int]) -> dict[str, set[str]]:
    """The KPI periods of the due records, per producer, read before they go."""
    return {
        "hie": {p.key for case in Case.objects.filter(pk__in=ids) for p in kpi_services.periods_for_case(case)},
        "pop": {p.key for birth in PopRecord.objects.filter(pk__in=pop_ids).values_list("birth_datetime", flat=True)
                for p in pop_services.periods_for_record(birth)},
    }


def _queue_recomputes(periods: dict[str, Any], by: UserLike | None) -> None:
    """After commit: no figure keeps counting a deleted baby."""
    if periods["hie"]:
        kpi_services.queue_period_keys(periods["hie"], by=by)
    if periods["pop"]:
        engine.queue(pop_services.PRODUCER, periods["pop"], by=by)
