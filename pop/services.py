"""Every write to a POP record, and the POP KPI run: screens, CSV import, demo data and tasks call these.

Record services (`pathway.services.RecordWrites`, as for HIE cases): validate the whole record (field validators
+ `pop.rules`), refuse to overwrite a newer version (`expected_version`), store the soft data-quality flags, write
the audit row (who, when, old → new) in the same transaction, and queue the record's KPI periods after commit.

The POP producer of KPI figures (`_Pop`, registered with the KPI engine in `pop.apps`) evaluates the POP KPIs
(`pop.kpis.registry`) for current records; the engine (`kpis.engine`) records the `KpiRun`, takes the write lock
and replaces exactly the POP codes' `KpiAggregate` rows of the periods computed, in one transaction.
`compute_pop_kpis` runs it now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from core.models import AuditEvent
from core.timeutil import london_date
from kpis import engine
from kpis.models import KpiRun
from kpis.periods import Period, periods_for_birth
from kpis.producers import Job, Producer, Written
from pathway.services import RecordWrites
from pop import aggregate, rules
from pop.dataset import FIELDS, UNIT_COLUMNS
from pop.kpis import registry
from pop.kpis.facts import facts_from_record
from pop.models import PopRecord
from units.access import UserLike
from units.hierarchy import Hierarchy

OBJECT_TYPE = "pop.record"
UNIT_FIELDS = frozenset(UNIT_COLUMNS.values())
POP = "pop"  # this dataset's producer name (`kpis.producers`): KpiRun.producer, PendingRecompute.producer


# --- Records ---------------------------------------------------------------------------------------------


class _PopWrites(RecordWrites[PopRecord]):
    model = PopRecord
    object_type = OBJECT_TYPE
    fields = FIELDS
    unit_fields = UNIT_FIELDS
    noun = "record"
    created_summary = "Created POP record {ref}"
    duplicate_message = "Another POP record already has this NHS number (unique per baby)"
    hard_violations = staticmethod(rules.hard_violations)
    soft_flags = staticmethod(rules.soft_flags)

    def announce(self, record: PopRecord, by: UserLike, *, previous_birth: datetime | None = None) -> None:
        queue_record_kpis(record, by=by, previous_birth=previous_birth)


_RECORDS = _PopWrites()


def record_values(record: PopRecord) -> dict[str, Any]:
    """The dataset values of a record keyed by model field name (what rules and diffs look at)."""
    return _RECORDS.values(record)


def pop_create(*, values: Mapping[str, Any], by: UserLike, action: str = AuditEvent.Action.CREATE) -> PopRecord:
    return _RECORDS.create(values=values, by=by, action=action)


def pop_update(*, record: PopRecord, values: Mapping[str, Any], expected_version: int | None, by: UserLike,
               action: str = AuditEvent.Action.UPDATE) -> PopRecord:
    """Apply changes; refuse with EditConflict when the record moved on since `expected_version`.

    `expected_version=None` means "latest wins", used only by the import (same case_ref = update). A save
    that changes nothing writes nothing (no new version, no audit row).
    """
    return _RECORDS.update(record=record, values=values, expected_version=expected_version, by=by, action=action)


def pop_mark_entered_in_error(*, record: PopRecord, reason: str, expected_version: int | None,
                              by: UserLike) -> PopRecord:
    """Clinical users never delete a record: it is kept, left out of lists and counts, and carries a reason."""
    return _RECORDS.mark_entered_in_error(record=record, reason=reason, expected_version=expected_version, by=by)


def pop_history(record: PopRecord) -> list[AuditEvent]:
    return _RECORDS.history(record)


# --- The POP producer of KPI figures ----------------------------------------------------------------------


class _Pop(Producer[None]):
    """POP figures (`pop.kpis.registry`) of current records, per birth unit and the network.

    POP volumes are small (a few thousand babies a year), so the read and the write share the run's one
    transaction: under the lock, no record saved meanwhile can be half-counted.
    """

    name = POP
    title = "POP"
    lock_key = 0x504F504B  # "POPK" in ASCII

    def versions(self) -> dict[str, int]:
        return dict(registry.VERSIONS)

    def read(self, job: Job) -> None:
        return None

    def write(self, job: Job, read: None) -> Written:
        records = PopRecord.objects.current().filter(job.born_in_scope("birth_datetime")).select_related("birth_unit")
        hierarchy = Hierarchy.load()  # once per run (issue 18): each record's organisations are looked up in memory
        results = [aggregate.evaluate_record(facts_from_record(r), job.as_of, hierarchy)
                   for r in records.iterator(2000)]
        periods = job.periods(r.month for r in results)
        return Written(rows=job.replace(aggregate.figures(results, periods)), evaluated=len(results))


PRODUCER = _Pop()  # registered with the KPI engine by pop.apps


def compute_pop_kpis(as_of: date | None = None, periods: Sequence[str] | None = None, *,
                     trigger: str = KpiRun.Trigger.MANUAL, by: UserLike | None = None) -> KpiRun:
    """Recompute the POP figures of every period (periods=None) or of the listed period keys, now
    (`kpis.engine.compute`: idempotent; a bad period key raises ValueError before any run is recorded; any
    other failure is recorded on the run and raised again)."""
    return engine.compute(PRODUCER, periods=periods, as_of=as_of, trigger=trigger, by=by)


def compute_pending_pop(*, by: UserLike | None = None) -> KpiRun | None:
    """Recompute every pending POP period in one run (`kpis.pending`); None when there was nothing to do."""
    return engine.compute_pending(PRODUCER, by=by)


def periods_for_record(birth: datetime, as_of: date | None = None) -> list[Period]:
    return periods_for_birth(london_date(birth), as_of or timezone.localdate())


def queue_record_kpis(record: PopRecord, *, by: UserLike | None = None, previous_birth: datetime | None = None) -> None:
    """After a record is written, recompute its periods once the transaction commits (a changed birth date
    also recomputes the old periods, which lose the record)."""
    keys = {p.key for p in periods_for_record(record.birth_datetime)}
    if previous_birth is not None:
        keys |= {p.key for p in periods_for_record(previous_birth)}
    # One batch per transaction, so an import of 500 rows (or the demo seed) marks each period once, and one
    # delayed run however many saves (kpis.pending).
    engine.queue(PRODUCER, keys, by=by)
