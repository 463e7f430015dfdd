"""The KPI engine: one way to run every producer of figures (HIE, POP, training coverage; `kpis.producers`).

A run:

1. A `KpiRun` row of the producer is created (status `running`) and committed, so a page can show it. A bad
   period key raises ValueError before anything is recorded.
2. `producer.read(job)`, outside the write transaction (it may commit progress as it goes).
3. In ONE transaction: the producer's write lock (PostgreSQL advisory lock; SQLite allows one writer anyway),
   `producer.write(job, read)`, which replaces exactly its own figures (`kpis.figures`), and the run marked
   succeeded. Re-running gives identical rows.
   On the embedded SQLite (KPIS_SHORT_WRITE_TRANSACTIONS, its default there) that one transaction would hold
   the database's only write lock for the whole write (about a second for a drain on the demo data, several
   under load) and every record save would wait for it. There the write runs under the producer's own lock
   (`_write_lock`: a lock file beside the database) and outside any transaction, and every table is written in
   short transactions of at most KPIS_WRITE_CHUNK_ROWS rows, each KPI-period and each case whole
   (`kpis.figures.ShortWrites`). If such a run fails part-way, its periods are marked pending again, so the
   next drain writes them whole.
   Around the write the engine notes which networks' figures a run of some periods changed (`kpis.changes`),
   so the job after it prepares only their pages and charts (`kpis.overview.warm`).
4. On any error the run is marked `failed` with the error text in its own transaction, and the error is raised
   again: a failed run never looks like a success (style-anchors.md §3, "bare except").

Record saves queue their periods with `queue` (kept in `PendingRecompute` until a drain takes them,
`kpis.pending`); `compute_pending` is that drain. `start` records a full run for a worker to carry out (the
dashboard's "Recompute now"). The Celery tasks (`kpis.tasks`) are thin wrappers over these.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kpis import background, changes, orgscope, pending, producers
from kpis.figures import ShortWrites
from kpis.models import KpiRun
from kpis.periods import Period, parse_period_key
from kpis.producers import Job, Producer, Written
from units.access import UserLike

logger = logging.getLogger(__name__)

ProducerRef = str | Producer[Any]


def _producer(ref: ProducerRef) -> Producer[Any]:
    return producers.get(ref) if isinstance(ref, str) else ref


# --- Runs ----------------------------------------------------------------------------------------------------


def compute(producer: ProducerRef, *, periods: Sequence[str] | None = None, as_of: date | None = None,
            trigger: str = KpiRun.Trigger.MANUAL, by: UserLike | None = None) -> KpiRun:
    """Recompute the producer's figures of every period (periods=None) or of the listed period keys, now.

    `as_of` is the run date (default: today in London): it decides date-dependent rules (2-year follow-up)
    and the last rolling window. Raises ValueError for a bad period key, or for listed periods when the
    producer can only compute every period, before any run is recorded.
    """
    chosen = _producer(producer)
    as_of = as_of or timezone.localdate()
    if periods is not None and not chosen.partial:
        raise ValueError(f"{chosen.title} figures are computed for every period at once, not for listed periods")
    selected = sorted({parse_period_key(key, as_of) for key in periods}) if periods is not None else None
    return compute_run(_record(chosen, selected, as_of, trigger, by))


def compute_run(run: KpiRun) -> KpiRun:
    """Carry out a recorded run (from `compute`, or queued by `start`); returns it refreshed."""
    producer = producers.get(run.producer)
    selected = (None if run.scope == KpiRun.Scope.FULL
                else sorted({parse_period_key(key, run.as_of) for key in run.period_keys}))
    short = _short_writes()
    try:
        versions = producer.versions()
        # A run queued before a deploy is computed with the definitions of the code that runs it.
        KpiRun.objects.filter(pk=run.pk).update(definition_versions=versions)
        job = Job(run=run, selected=selected, versions=versions, short_writes=short)
        read = producer.read(job)
        if short is None:
            with transaction.atomic():
                _serialise_writes(producer)
                with changes.noting(job):  # which networks' figures it changed, for the job after it
                    written = producer.write(job, read)
                _succeeded(run, written)
        else:
            with _write_lock(producer):
                with changes.noting(job):
                    written = producer.write(job, read)
                _succeeded(run, written)
    except Exception as exc:
        _fail(run, producer, exc)
        if short is not None and run.scope == KpiRun.Scope.PERIODS:
            pending.mark(run.period_keys, producer=producer.name)  # some may be written: the next drain redoes them
        raise
    # The organisations the figures were attributed with, ready for the dashboards (issue 18, kpis.orgscope).
    orgscope.warm_tree()
    run.refresh_from_db()
    return run


def _succeeded(run: KpiRun, written: Written) -> None:
    KpiRun.objects.filter(pk=run.pk).update(
        status=KpiRun.Status.SUCCEEDED, finished_at=timezone.now(), rows_written=written.rows,
        progress_done=written.evaluated, progress_total=written.evaluated)


def _short_writes() -> ShortWrites | None:
    """How this run writes: in short transactions (the embedded SQLite), or None for one transaction.

    Inside a caller's transaction nothing could be released early anyway, so the run keeps its one
    all-or-nothing transaction there."""
    if not settings.KPIS_SHORT_WRITE_TRANSACTIONS or connection.in_atomic_block:
        return None
    return ShortWrites(chunk_rows=settings.KPIS_WRITE_CHUNK_ROWS, between=background.between_writes)


def start(producer: ProducerRef, *, by: UserLike | None) -> KpiRun:
    """Record a manual full recompute and start it; returns the run (refreshed) for a page to poll.

    With a worker, the task is sent when the current transaction commits, so the worker can read the run.
    With Celery eager (no Redis) there is no worker to race, so the run happens now, inline. If the task
    cannot be sent (broker down), the run is marked failed with the reason instead of never moving.
    """
    chosen = _producer(producer)
    run = _record(chosen, None, timezone.localdate(), KpiRun.Trigger.MANUAL, by)
    if pending.celery_runs_inline():
        _send_run(run)
    else:
        transaction.on_commit(partial(_send_run, run))
    run.refresh_from_db()
    return run


def _send_run(run: KpiRun) -> None:
    from kpis.tasks import recompute_run  # the tasks import this module

    try:
        recompute_run.delay(run.pk)
    except Exception as exc:
        # A failure inside the run is recorded by compute_run; this only records one the queue raised.
        if not KpiRun.objects.filter(pk=run.pk, status=KpiRun.Status.FAILED).exists():
            _fail(run, producers.get(run.producer), exc)
        logger.exception("KPI run %s could not be started", run.pk)


def _record(producer: Producer[Any], selected: list[Period] | None, as_of: date, trigger: str,
            by: UserLike | None) -> KpiRun:
    return KpiRun.objects.create(
        producer=producer.name,
        scope=KpiRun.Scope.FULL if selected is None else KpiRun.Scope.PERIODS,
        period_keys=[] if selected is None else [p.key for p in selected],
        as_of=as_of,
        definition_versions=producer.versions(),
        trigger=trigger,
        triggered_by_id=by.pk if by is not None and by.is_authenticated else None,
    )


def _fail(run: KpiRun, producer: Producer[Any], exc: BaseException) -> None:
    """Record the failure in its own transaction (the work's transaction has been rolled back)."""
    text = f"{type(exc).__name__}: {exc}\n\n{''.join(traceback.format_exception(exc))}"
    with transaction.atomic():
        KpiRun.objects.filter(pk=run.pk).update(status=KpiRun.Status.FAILED, error=text, finished_at=timezone.now())
    run.refresh_from_db()
    logger.error("%s KPI run %s failed: %s: %s", producer.title, run.pk, type(exc).__name__, exc)


def _serialise_writes(producer: Producer[Any]) -> None:
    """One run of a producer writes at a time (two would delete and insert the same rows). Producers write
    disjoint codes, so each has its own lock. SQLite allows one writer anyway; PostgreSQL needs the lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [producer.lock_key])


_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


@contextmanager
def _write_lock(producer: Producer[Any]) -> Iterator[None]:
    """The producer's write lock for a run written in short transactions, held from before its re-read of
    changed records to its last write: one run of a producer writes at a time, so an older run's rows can never
    land after a newer one's (a record saved meanwhile queues its own run, which waits here and reads it again).

    PostgreSQL: the session-level form of the advisory lock the one-transaction runs take. SQLite: a lock per
    producer in this process (the drain thread and a request's inline drain) and an exclusive `flock` on a file
    beside the database (another process: a second web worker, `manage.py drain_kpis`).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [producer.lock_key])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [producer.lock_key])
        return
    with _PROCESS_LOCKS_GUARD:
        in_process = _PROCESS_LOCKS.setdefault(producer.name, threading.Lock())
    with in_process:
        path = _lock_file(producer)
        if path is None:
            yield
            return
        import fcntl

        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_file(producer: Producer[Any]) -> Path | None:
    """`<database file>.kpis-<producer>.lock`; None for an in-memory database (one process) or on Windows."""
    name = str(connection.settings_dict["NAME"])
    if sys.platform == "win32" or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(f"{name}.kpis-{producer.name}.lock")


# --- Recomputes queued by record saves -------------------------------------------------------------------------


def queue(producer: ProducerRef, keys: Iterable[str], *, by: UserLike | None = None) -> None:
    """Recompute these periods of the producer after the current transaction commits (`kpis.pending`: marked,
    then one delayed drain, `kpis.tasks.recompute_pending`, for every period pending)."""
    pending.queue(keys, by=by, producer=_producer(producer).name)


def compute_pending(producer: ProducerRef, *, by: UserLike | None = None) -> KpiRun | None:
    """Recompute every pending period of the producer in one run; None when there was nothing to do.

    A producer that cannot compute listed periods recomputes every period when anything was pending.
    """
    chosen = _producer(producer)
    as_of = timezone.localdate()
    keys = pending.take(chosen.name, as_of)
    if not keys:
        return None
    return compute(chosen, periods=keys if chosen.partial else None, as_of=as_of,
                   trigger=KpiRun.Trigger.CASE_SAVED, by=by)
