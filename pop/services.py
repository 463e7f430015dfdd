"""Every write to a POP record, and the POP KPI run: screens, CSV import, demo data and tasks call these.

Record services (`pathway.services.RecordWrites`, as for HIE cases): validate the whole record (field validators
+ `pop.rules`), refuse to overwrite a newer version (`expected_version`), store the soft data-quality flags, write
the audit row (who, when, old → new) in the same transaction, and queue the record's KPI periods after commit.

`compute_pop_kpis` evaluates the POP KPIs (`pop.kpis.registry`) for current records and replaces exactly the
POP codes' `KpiAggregate` rows of the periods computed, in one transaction, recorded as a `KpiRun`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import AuditEvent
from core.timeutil import london_date
from kpis import figures, pending
from kpis.aggregate import Figure
from kpis.models import KpiRun
from kpis.periods import Period, parse_period_key, periods_for_birth, periods_for_months
from pathway.services import RecordWrites
from pop import aggregate, rules
from pop.dataset import FIELDS, UNIT_COLUMNS
from pop.kpis import registry
from pop.kpis.facts import facts_from_record
from pop.models import PopRecord
from units.access import UserLike

logger = logging.getLogger(__name__)
OBJECT_TYPE = "pop.record"
UNIT_FIELDS = frozenset(UNIT_COLUMNS.values())
# pg_advisory_xact_lock key serialising POP runs ("POPK" in ASCII); the HIE engine uses its own key.
_WRITE_LOCK = 0x504F504B


# --- Records ---------------------------------------------------------------------------------------------


class _PopWrites(RecordWrites[PopRecord]):
    model = PopRecord
    object_type = OBJECT_TYPE
    fields = FIELDS
    unit_fields = UNIT_FIELDS
    noun = "record"
    created_summary = "Created POP record {ref}"
    duplicate_message = "Another POP record already has this NHS number (unique per baby)"
    frozen_when_entered_in_error = True
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


# --- Queueing the KPI periods of a saved record -------------------------------------------------------------


POP = "pop"  # this dataset's producer name in `kpis.pending`


def compute_pending_pop(*, by: UserLike | None = None) -> KpiRun | None:
    """Recompute every pending POP period in one run (`kpis.pending`); None when there was nothing to do."""
    as_of = timezone.localdate()
    keys = pending.take(POP, as_of)
    return compute_pop_kpis(as_of, periods=keys, trigger=KpiRun.Trigger.CASE_SAVED, by=by) if keys else None


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
    pending.queue(keys, by=by, producer=POP, drain="pop.tasks.recompute_pop_pending")


# --- The POP KPI run ---------------------------------------------------------------------------------------


def compute_pop_kpis(as_of: date | None = None, periods: Sequence[str] | None = None, *,
                     trigger: str = KpiRun.Trigger.MANUAL, by: UserLike | None = None) -> KpiRun:
    """Recompute the POP figures of every period (periods=None) or of the listed period keys, now.

    Idempotent: a re-run writes identical rows. Raises ValueError for a bad period key before any run is
    recorded; any other failure is recorded on the run (status `failed`, the error text) and raised again.
    """
    as_of = as_of or timezone.localdate()
    selected = sorted({parse_period_key(key, as_of) for key in periods}) if periods is not None else None
    # Always recorded as a run of listed periods (every period it computed, for a full run), as the training
    # figures do: the HIE dashboards take the newest "full" run as their "data as of", and a POP run must not
    # stand in for theirs. The POP dashboard finds POP runs by their definition versions.
    run = KpiRun.objects.create(
        scope=KpiRun.Scope.PERIODS, period_keys=[] if selected is None else [p.key for p in selected],
        as_of=as_of, definition_versions=registry.VERSIONS, trigger=trigger,
        triggered_by=by if by is not None and by.is_authenticated else None,
    )
    try:
        _run(run, selected)
    except Exception as exc:
        _fail(run, exc)
        raise
    run.refresh_from_db()
    return run


def _run(run: KpiRun, selected: list[Period] | None) -> None:
    # POP volumes are small (a few thousand babies a year), so the read and the write share one transaction:
    # under the lock, no record saved meanwhile can be half-counted.
    with transaction.atomic():
        _serialise_writes()
        records = PopRecord.objects.current().filter(_scope(selected)).select_related("birth_unit")
        results = [aggregate.evaluate_record(facts_from_record(r), run.as_of) for r in records.iterator(2000)]
        periods = selected if selected is not None else periods_for_months((r.month for r in results), run.as_of)
        written = _replace_aggregates(aggregate.figures(results, periods), selected, run)
        KpiRun.objects.filter(pk=run.pk).update(status=KpiRun.Status.SUCCEEDED, finished_at=timezone.now(),
                                                period_keys=[p.key for p in periods],
                                                rows_written=written, progress_done=len(results),
                                                progress_total=len(results))


def _scope(selected: list[Period] | None) -> Q:
    """Records born in any of the periods (London dates: the bounds are London midnights)."""
    if selected is None:
        return Q()
    query = Q(pk__in=[])
    for period in selected:
        start, end = period.utc_bounds()
        query |= Q(birth_datetime__gte=start, birth_datetime__lt=end)
    return query


def _serialise_writes() -> None:
    """One POP run writes at a time. SQLite allows one writer anyway; PostgreSQL needs a lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCK])


def _figure(figure: aggregate.PopFigure) -> Figure:
    """The POP figure as the KPI engine stores it, with its code's definition version."""
    return Figure(kpi=figure.kpi, level=figure.level, org_code=figure.org_code, period=figure.period,
                  version=registry.VERSIONS[figure.kpi], numerator=figure.numerator, denominator=figure.denominator,
                  not_eligible=figure.not_eligible, missing=figure.missing)


def _replace_aggregates(computed: Iterable[aggregate.PopFigure], selected: list[Period] | None, run: KpiRun) -> int:
    """Replace the POP codes' figures of the periods computed (every period for a full run). Other codes (the
    HIE KPIs, training) belong to other producers: `kpis.figures` leaves them alone."""
    return figures.replace((_figure(figure) for figure in computed), run=run, codes=registry.CODES,
                           period_keys=None if selected is None else [p.key for p in selected])


def _fail(run: KpiRun, exc: BaseException) -> None:
    """Record the failure in its own transaction (the run's transaction has been rolled back)."""
    text = f"{type(exc).__name__}: {exc}\n\n{''.join(traceback.format_exception(exc))}"
    with transaction.atomic():
        KpiRun.objects.filter(pk=run.pk).update(status=KpiRun.Status.FAILED, error=text, finished_at=timezone.now())
    run.refresh_from_db()
    logger.error("POP KPI run %s failed: %s", run.pk, exc)

