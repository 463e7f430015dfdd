"""The HIE producer: KPI figures of cases (kpis.md "HIE pathway KPIs"), and queueing them when a case changes.

The engine (`kpis.engine`) runs it like every producer: run record, write lock, success or failure recorded.
What is particular to cases (`_Hie`):

- read, outside the write transaction: current cases (entered-in-error excluded, kpis.md "Conventions") born
  in the periods asked for are loaded once with their units and evaluated in Python; progress is committed
  every chunk;
- write, in the run's one transaction: cases changed since the read began are re-read, every figure is summed
  (`kpis.aggregate`), and the CaseOutcome rows of those cases and the KpiAggregate rows of exactly those
  periods are deleted (one DELETE per table) and created again (one COPY per table on PostgreSQL,
  bulk_create elsewhere; `kpis.figures`). Re-running gives identical rows (idempotent). On the embedded
  SQLite there is no run transaction: the same writes go in short transactions, each case and each
  KPI-period whole (`kpis.figures.ShortWrites`).

`compute` runs now (the tasks and `compute_kpis` call it); `start_full_recompute` records a run and queues it
(the dashboard's button); `queue_case_recompute` is called for every case write (through
`pathway.signals.case_changed`, `kpis.apps`): when the write commits, its periods are recorded as
`PendingRecompute` rows and one delayed drain (`kpis.tasks.recompute_pending`) recomputes everything pending
in a single run (`kpis.pending`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from core.timeutil import london_date
from kpis import aggregate, attribution, engine, incidence, registry
from kpis import figures as stored
from kpis.aggregate import CaseResult, Figure
from kpis.definitions.base import KpiDefinition, MedianDefinition
from kpis.facts import RELATED_UNITS, CaseFacts, facts_from_case
from kpis.models import HIE, CaseOutcome, KpiRun
from kpis.outcome import MeasureValue, NotEligible, Outcome
from kpis.periods import Period, periods_for_birth
from kpis.producers import Job, Producer, Written
from pathway.choices import YesNo
from pathway.models import Case
from units.access import UserLike
from units.births import figures_by_unit_year
from units.hierarchy import Hierarchy

__all__ = ["HIE", "compute", "compute_pending", "periods_for_case", "queue_case_recompute", "queue_period_keys",
           "start_full_recompute"]

CHUNK = 500  # cases evaluated between two progress updates
# Cases saved this long before the read began are re-read too: it covers clock skew between app servers.
_CHANGED_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class _Definitions:
    """The registry as it was when the run started (read once, so a run uses one set of versions)."""

    kpis: tuple[KpiDefinition[CaseFacts], ...]
    measures: tuple[MedianDefinition, ...]
    # Every unit's trust, LMNS, ICB, network and region over time, read once per run (issue 18: three queries,
    # then each case's organisations are looked up in memory).
    hierarchy: Hierarchy

    @classmethod
    def current(cls) -> _Definitions:
        return cls(tuple(registry.KPIS), tuple(registry.MEDIANS), Hierarchy.load())

    @staticmethod
    def current_versions() -> dict[str, int]:
        return {**{d.CODE: d.VERSION for d in registry.KPIS}, **{d.CODE: d.VERSION for d in registry.MEDIANS}}

    @property
    def versions(self) -> dict[str, int]:
        return {**{d.CODE: d.VERSION for d in self.kpis}, **{d.CODE: d.VERSION for d in self.measures}}


@dataclass(frozen=True)
class _Read:
    definitions: _Definitions
    results: dict[int, CaseResult]
    began: datetime


class _Hie(Producer[_Read]):
    name = HIE
    title = "HIE"
    lock_key = 0x4B504953  # "KPIS" in ASCII

    def versions(self) -> dict[str, int]:
        return _Definitions.current_versions()

    def read(self, job: Job) -> _Read:
        began = timezone.now()
        definitions = _Definitions.current()
        return _Read(definitions, _evaluate_scope(job, definitions), began)

    def write(self, job: Job, read: _Read) -> Written:
        results, definitions = read.results, read.definitions
        _refresh_changed(results, job, definitions, since=read.began - _CHANGED_MARGIN)
        periods = job.periods(r.month for r in results.values())
        figures = aggregate.figures(results.values(), periods, definitions.kpis, definitions.measures)
        # Read under the write lock: a live-births change queues its own run of that year, which waits for it.
        figures = incidence.apply(figures, periods, definitions.kpis, figures_by_unit_year(), definitions.hierarchy)
        _replace_case_outcomes(results.values(), job, definitions)
        return Written(rows=_replace_aggregates(job, figures), evaluated=len(results))

    def after_task(self, run: KpiRun) -> None:
        from kpis import overview  # draws with matplotlib: imported only by the worker that runs KPI jobs

        overview.warm(run)


PRODUCER = _Hie()  # registered with the engine by kpis.apps


# --- The run ------------------------------------------------------------------------------------


def compute(*, periods: Sequence[str] | None = None, as_of: date | None = None,
            trigger: str = KpiRun.Trigger.MANUAL, by: UserLike | None = None) -> KpiRun:
    """Recompute every period (periods=None) or only the listed period keys (`kpis.periods`), now.

    `as_of` is the run date (default: today in London); it decides 2-year follow-up eligibility and the
    last rolling window. Raises ValueError for a bad period key before any run is recorded.
    """
    return engine.compute(PRODUCER, periods=periods, as_of=as_of, trigger=trigger, by=by)


def start_full_recompute(*, by: UserLike | None) -> KpiRun:
    """Record a manual full recompute and start it (`kpis.engine.start`); returns the run for a page to poll."""
    return engine.start(PRODUCER, by=by)


# --- Reading and evaluating ----------------------------------------------------------------------


def _evaluate(case: Case, as_of: date, definitions: _Definitions) -> CaseResult:
    return aggregate.evaluate_case(facts_from_case(case), case.pk, as_of, definitions.kpis, definitions.measures,
                                   definitions.hierarchy)


def _chunks(cases: Iterator[Case], size: int) -> Iterator[list[Case]]:
    chunk: list[Case] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _evaluate_scope(job: Job, definitions: _Definitions) -> dict[int, CaseResult]:
    """Evaluate every case in scope, committing progress after each chunk (outside the write transaction)."""
    # Outside direct care: a national data opt-out leaves every figure (pathway.models.CaseQuerySet).
    cases = (Case.objects.outside_direct_care().filter(job.born_in_scope("birth_datetime"))
             .select_related(*RELATED_UNITS).order_by("pk"))
    job.progress(0, cases.count())
    results: dict[int, CaseResult] = {}
    for chunk in _chunks(cases.iterator(chunk_size=CHUNK), CHUNK):
        results.update((case.pk, _evaluate(case, job.as_of, definitions)) for case in chunk)
        job.progress(len(results))
    return results


def _refresh_changed(results: dict[int, CaseResult], job: Job, definitions: _Definitions, *,
                     since: datetime) -> None:
    """Re-read cases saved since the read began, under the write lock.

    Without this, two runs could overlap so that the one holding older values writes last. A case saved
    after this point queues its own recompute on commit, which waits for the lock and reads it again.
    """
    changed = Case.objects.filter(updated_at__gte=since).select_related(*RELATED_UNITS)
    for case in changed:
        opted_out = case.national_opt_out == YesNo.YES
        if case.entered_in_error or opted_out or not job.in_scope(london_date(case.birth_datetime)):
            results.pop(case.pk, None)
        else:
            results[case.pk] = _evaluate(case, job.as_of, definitions)


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
        measured, minutes = _measure_outcome(value)
        yield case_id, code, measured, minutes, versions[code], as_of, now


def _replace_case_outcomes(results: Iterable[CaseResult], job: Job, definitions: _Definitions) -> None:
    """Each case in scope gets exactly its current outcomes; entered-in-error cases in scope get none."""
    in_scope = None if job.selected is None else Case.objects.filter(job.born_in_scope("birth_datetime"))
    stale = CaseOutcome.objects.all()
    if in_scope is not None:
        # Every result is a case born in scope, so this also clears the rows about to be written.
        stale = stale.filter(case__in=in_scope.values("pk"))
    versions, now = definitions.versions, timezone.now()
    # One DELETE and one insert; on the embedded SQLite, short transactions with each case's rows whole.
    stored.replace_rows(CaseOutcome, _OUTCOME_FIELDS,
                        (row for result in results for row in _case_outcome_rows(result, job.as_of, versions, now)),
                        stale=stale, by=("case_id",), short=job.short_writes)
    # Where and when each case counts, so a page can count any range of birth dates from stored rows.
    attribution.replace(results, in_scope=in_scope, short=job.short_writes)


def _replace_aggregates(job: Job, figures: list[Figure]) -> int:
    """Replace the HIE codes' figures of the periods recomputed (every period for a full run). Rows of other
    codes belong to other producers (POP, training coverage): `kpis.figures` leaves them alone."""
    return job.replace(figures)


# --- Queueing a recompute when a case changes ----------------------------------------------------


def periods_for_case(case: Case, as_of: date | None = None) -> list[Period]:
    """The year, quarter, month and rolling windows (up to the run date) that hold this case's birth."""
    return periods_for_birth(london_date(case.birth_datetime), as_of or timezone.localdate())


def compute_pending(*, by: UserLike | None = None) -> KpiRun | None:
    """Recompute every pending HIE period in one run (`kpis.pending`); None when there was nothing to do."""
    return engine.compute_pending(PRODUCER, by=by)


def queue_period_keys(keys: Iterable[str], *, by: UserLike | None = None) -> None:
    """Recompute these periods after the current transaction commits (`kpis.pending`: marked, then one
    delayed `kpis.tasks.recompute_pending` run for all of them)."""
    engine.queue(PRODUCER, keys, by=by)


def queue_case_recompute(case: Case, *, by: UserLike | None = None, previous_birth: datetime | None = None) -> None:
    """After a case is written, recompute only its periods; a changed birth date also clears the old ones."""
    keys = {p.key for p in periods_for_case(case)}
    if previous_birth is not None:
        keys |= {p.key for p in periods_for_birth(london_date(previous_birth), timezone.localdate())}
    queue_period_keys(keys, by=by)
