"""Compute and store the KPIs (kpis.md), and queue a recompute when a case changes.

`compute` runs now (the tasks and `compute_kpis` call it); `start_full_recompute` records a run and
queues it (the dashboard's button); `queue_case_recompute` is called by every pathway write: when the write
commits, its periods are recorded as `PendingRecompute` rows and one delayed drain (`compute_pending`)
recomputes everything pending in a single run. A run:

1. A KpiRun row is created (status `running`) and committed, so a page can show it.
2. Read: current cases (entered-in-error excluded, kpis.md "Conventions") born in the periods asked for
   are loaded once with their units and evaluated in Python; progress is committed every chunk.
3. Write, in ONE transaction: cases changed since step 2 began are re-read, every figure is summed
   (`kpis.aggregate`), and the CaseOutcome rows of those cases and the KpiAggregate rows of exactly those
   periods are deleted (one DELETE per table) and created again (one COPY per table on PostgreSQL,
   bulk_create elsewhere; `kpis.figures`, which POP and training coverage write with too). Re-running gives
   identical rows (idempotent).
4. On any error the run is marked `failed` with the error text in its own transaction and the error is
   raised again: a failed run never looks like a success (style-anchors.md §3, "bare except").
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.timeutil import london_date
from kpis import aggregate, attribution, pending, registry
from kpis import figures as stored
from kpis.aggregate import CaseResult, Figure
from kpis.definitions.base import KpiDefinition, MedianDefinition
from kpis.facts import RELATED_UNITS, facts_from_case
from kpis.models import CaseOutcome, KpiRun
from kpis.outcome import MeasureValue, NotEligible, Outcome
from kpis.periods import Period, parse_period_key, periods_for_birth, periods_for_months
from pathway.models import Case
from units.access import UserLike

logger = logging.getLogger(__name__)
CHUNK = 500  # cases evaluated between two progress updates
# Cases saved this long before the read began are re-read too: it covers clock skew between app servers.
_CHANGED_MARGIN = timedelta(minutes=5)
# pg_advisory_xact_lock key serialising the write step of concurrent runs ("KPIS" in ASCII).
_WRITE_LOCK = 0x4B504953


@dataclass(frozen=True)
class _Definitions:
    """The registry as it was when the run started (read once, so a run uses one set of versions)."""

    kpis: tuple[KpiDefinition, ...]
    measures: tuple[MedianDefinition, ...]

    @classmethod
    def current(cls) -> _Definitions:
        return cls(tuple(registry.KPIS), tuple(registry.MEDIANS))

    @property
    def versions(self) -> dict[str, int]:
        return {d.CODE: d.VERSION for d in (*self.kpis, *self.measures)}


# --- The run ------------------------------------------------------------------------------------


def compute(*, periods: Sequence[str] | None = None, as_of: date | None = None,
            trigger: str = KpiRun.Trigger.MANUAL, by: UserLike | None = None) -> KpiRun:
    """Recompute every period (periods=None) or only the listed period keys (`kpis.periods`), now.

    `as_of` is the run date (default: today in London); it decides 2-year follow-up eligibility and the
    last rolling window. Raises ValueError for a bad period key before any run is recorded.
    """
    as_of = as_of or timezone.localdate()
    selected = sorted({parse_period_key(key, as_of) for key in periods}) if periods is not None else None
    run = _run_start(selected, as_of, trigger, by, _Definitions.current())
    return compute_run(run)


def compute_run(run: KpiRun) -> KpiRun:
    """Carry out a recorded run (from `compute`, or queued by `start_full_recompute`)."""
    selected = (None if run.scope == KpiRun.Scope.FULL
                else sorted({parse_period_key(k, run.as_of) for k in run.period_keys}))
    try:
        definitions = _Definitions.current()
        # A run queued before a deploy is computed with the definitions of the code that runs it.
        KpiRun.objects.filter(pk=run.pk).update(definition_versions=definitions.versions)
        _run_compute(run, selected, definitions)
    except Exception as exc:
        _run_fail(run, exc)
        raise
    return run


def start_full_recompute(*, by: UserLike | None) -> KpiRun:
    """Record a manual full recompute and start it; returns the run (refreshed) for a page to poll.

    With a worker, the task is sent when the current transaction commits, so the worker can read the run.
    With Celery eager (no Redis) there is no worker to race, so the run happens now, inline. If the task
    cannot be sent (broker down), the run is marked failed with the reason instead of never moving.
    """
    run = _run_start(None, timezone.localdate(), KpiRun.Trigger.MANUAL, by, _Definitions.current())
    if pending.celery_runs_inline():
        _send_run(run)
    else:
        transaction.on_commit(partial(_send_run, run))
    run.refresh_from_db()
    return run


def _send_run(run: KpiRun) -> None:
    from kpis.tasks import recompute_run as recompute_run_task  # tasks import this module

    try:
        recompute_run_task.delay(run.pk)
    except Exception as exc:
        # A failure inside the run is recorded by compute_run; this only records one the queue raised.
        if not KpiRun.objects.filter(pk=run.pk, status=KpiRun.Status.FAILED).exists():
            _run_fail(run, exc)
        logger.exception("KPI run %s could not be started", run.pk)


def _run_start(selected: list[Period] | None, as_of: date, trigger: str, by: UserLike | None,
               definitions: _Definitions) -> KpiRun:
    return KpiRun.objects.create(
        scope=KpiRun.Scope.FULL if selected is None else KpiRun.Scope.PERIODS,
        period_keys=[] if selected is None else [p.key for p in selected],
        as_of=as_of,
        definition_versions=definitions.versions,
        trigger=trigger,
        triggered_by=by if by is not None and by.is_authenticated else None,
    )


def _run_fail(run: KpiRun, exc: BaseException) -> None:
    """Record the failure in its own transaction (the work's transaction has been rolled back)."""
    text = f"{type(exc).__name__}: {exc}\n\n{''.join(traceback.format_exception(exc))}"
    with transaction.atomic():
        KpiRun.objects.filter(pk=run.pk).update(status=KpiRun.Status.FAILED, error=text,
                                                finished_at=timezone.now())
    run.refresh_from_db()


def _run_compute(run: KpiRun, selected: list[Period] | None, definitions: _Definitions) -> None:
    read_began = timezone.now()
    results = _evaluate_scope(run, selected, definitions)
    with transaction.atomic():
        _serialise_writes()
        _refresh_changed(results, run.as_of, selected, definitions, since=read_began - _CHANGED_MARGIN)
        periods = selected if selected is not None else periods_for_months(
            (r.month for r in results.values()), run.as_of)
        figures = aggregate.figures(results.values(), periods, definitions.kpis, definitions.measures)
        _replace_case_outcomes(results.values(), selected, run.as_of, definitions)
        written = _replace_aggregates(figures, selected, run, definitions.versions)
        KpiRun.objects.filter(pk=run.pk).update(
            status=KpiRun.Status.SUCCEEDED, finished_at=timezone.now(), rows_written=written,
            progress_done=len(results), progress_total=len(results))
    run.refresh_from_db()


# --- Reading and evaluating ----------------------------------------------------------------------


def _scope_filter(selected: list[Period] | None) -> Q:
    """Cases born in any of the periods (by London date: bounds are London midnights)."""
    if selected is None:
        return Q()
    query = Q(pk__in=[])
    for start, end in _merged_bounds(selected):
        query |= Q(birth_datetime__gte=start, birth_datetime__lt=end)
    return query


def _merged_bounds(periods: Iterable[Period]) -> list[tuple[datetime, datetime]]:
    """The periods' [from, to) instants, overlapping ones merged (a case's periods are one span)."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(p.utc_bounds() for p in periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _in_scope(born: date, selected: list[Period] | None) -> bool:
    return selected is None or any(p.contains(born) for p in selected)


def _evaluate(case: Case, as_of: date, definitions: _Definitions) -> CaseResult:
    return aggregate.evaluate_case(facts_from_case(case), case.pk, as_of, definitions.kpis, definitions.measures)


def _chunks(cases: Iterator[Case], size: int) -> Iterator[list[Case]]:
    chunk: list[Case] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _evaluate_scope(run: KpiRun, selected: list[Period] | None, definitions: _Definitions
                    ) -> dict[int, CaseResult]:
    """Evaluate every case in scope, committing progress after each chunk (outside the write transaction)."""
    cases = Case.objects.current().filter(_scope_filter(selected)).select_related(*RELATED_UNITS).order_by("pk")
    total = cases.count()
    KpiRun.objects.filter(pk=run.pk).update(progress_total=total)
    results: dict[int, CaseResult] = {}
    for chunk in _chunks(cases.iterator(chunk_size=CHUNK), CHUNK):
        results.update((case.pk, _evaluate(case, run.as_of, definitions)) for case in chunk)
        KpiRun.objects.filter(pk=run.pk).update(progress_done=len(results))
    return results


def _refresh_changed(results: dict[int, CaseResult], as_of: date, selected: list[Period] | None,
                     definitions: _Definitions, *, since: datetime) -> None:
    """Re-read cases saved since the read began, under the write lock.

    Without this, two runs could overlap so that the one holding older values writes last. A case saved
    after this point queues its own recompute on commit, which waits for the lock and reads it again.
    """
    changed = Case.objects.filter(updated_at__gte=since).select_related(*RELATED_UNITS)
    for case in changed:
        if case.entered_in_error or not _in_scope(london_date(case.birth_datetime), selected):
            results.pop(case.pk, None)
        else:
            results[case.pk] = _evaluate(case, as_of, definitions)


def _serialise_writes() -> None:
    """One run writes at a time. SQLite allows one writer anyway; PostgreSQL needs a lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCK])


# --- Writing -------------------------------------------------------------------------------------

# The CaseOutcome columns, by field attname. Rows are plain tuples in this order, written by `kpis.figures`
# (COPY on PostgreSQL), as the figures are: at national scale a run writes about a million rows.
_OUTCOME_FIELDS = ("case_id", "kpi", "outcome", "value", "definition_version", "as_of", "updated_at")


def _measure_outcome(value: MeasureValue) -> tuple[str, float | None]:
    if isinstance(value, NotEligible):
        return Outcome.NOT_ELIGIBLE.value, None
    if value is None:
        return Outcome.MISSING.value, None
    return CaseOutcome.MEASURED, value


def _case_outcome_rows(result: CaseResult, as_of: date, versions: dict[str, int], now: datetime
                       ) -> Iterator[stored.Row]:
    """One `_OUTCOME_FIELDS` row per KPI and measure. `updated_at` is the run's one write time (the field
    is auto_now, which a COPY does not apply). Enum members are stored as their plain values."""
    case_id = result.case_id
    for code, outcome in result.outcomes.items():
        yield case_id, code, str(outcome), None, versions[code], as_of, now
    for code, value in result.values.items():
        outcome, minutes = _measure_outcome(value)
        yield case_id, code, outcome, minutes, versions[code], as_of, now


def _replace_case_outcomes(results: Iterable[CaseResult], selected: list[Period] | None, as_of: date,
                           definitions: _Definitions) -> None:
    """Each case in scope gets exactly its current outcomes; entered-in-error cases in scope get none."""
    in_scope = None if selected is None else Case.objects.filter(_scope_filter(selected))
    stale = CaseOutcome.objects.all()
    if in_scope is not None:
        # Every result is a case born in scope, so this also clears the rows about to be written.
        stale = stale.filter(case__in=in_scope.values("pk"))
    stale.delete()  # one DELETE statement: nothing refers to these rows and no signal listens
    versions, now = definitions.versions, timezone.now()
    stored.insert(CaseOutcome, _OUTCOME_FIELDS,
                  (row for result in results for row in _case_outcome_rows(result, as_of, versions, now)))
    # Where and when each case counts, so a page can count any range of birth dates from stored rows.
    attribution.replace(results, in_scope=in_scope)


def _replace_aggregates(figures: list[Figure], selected: list[Period] | None, run: KpiRun,
                        codes: Iterable[str]) -> int:
    """Replace the figures of exactly these KPIs and the periods recomputed (every period for a full run).
    Rows of other codes belong to other producers (POP, training coverage): `kpis.figures` leaves them alone."""
    return stored.replace(figures, run=run, codes=set(codes),
                          period_keys=None if selected is None else [p.key for p in selected])


# --- Queueing a recompute when a case changes ----------------------------------------------------


def periods_for_case(case: Case, as_of: date | None = None) -> list[Period]:
    """The year, quarter, month and rolling windows (up to the run date) that hold this case's birth."""
    return periods_for_birth(london_date(case.birth_datetime), as_of or timezone.localdate())


HIE = "hie"  # this engine's producer name in `kpis.pending`


def compute_pending(*, by: UserLike | None = None) -> KpiRun | None:
    """Recompute every pending HIE period in one run (`kpis.pending`); None when there was nothing to do."""
    as_of = timezone.localdate()
    keys = pending.take(HIE, as_of)
    return compute(periods=keys, as_of=as_of, trigger=KpiRun.Trigger.CASE_SAVED, by=by) if keys else None


def queue_period_keys(keys: Iterable[str], *, by: UserLike | None = None) -> None:
    """Recompute these periods after the current transaction commits (`kpis.pending`: marked, then one
    delayed `kpis.tasks.recompute_pending` run for all of them)."""
    pending.queue(keys, by=by, producer=HIE, drain="kpis.tasks.recompute_pending")


def queue_case_recompute(case: Case, *, by: UserLike | None = None, previous_birth: datetime | None = None) -> None:
    """After a case is written, recompute only its periods; a changed birth date also clears the old ones."""
    keys = {p.key for p in periods_for_case(case)}
    if previous_birth is not None:
        keys |= {p.key for p in periods_for_birth(london_date(previous_birth), timezone.localdate())}
    queue_period_keys(keys, by=by)

