"""Recomputes queued by record saves, for every producer of figures (`kpis.producers`: HIE cases, POP records,
training).

A save calls `kpis.engine.queue(producer, keys)`, which calls `queue` here. When its transaction commits (at
once outside one):

1. its period keys are written as `PendingRecompute` rows of that producer (`mark`), in the database, so
   they outlive a broker outage;
2. the drain task, `kpis.tasks.recompute_pending(producer=...)`, is sent to run KPIS_RECOMPUTE_DELAY_SECONDS
   later, unless one is already due for that producer (`schedule_drain`); the drain `take`s every pending key
   of its producer and recomputes them in one run (`kpis.engine.compute_pending`).

One batch per transaction and producer, so an import of 500 rows marks each period once; one run per delay
however many saves, so a busy evening cannot queue more work than the worker can do. Beat also runs each
producer's drain every 5 minutes, for keys whose drain could not be sent. With Celery eager (no Redis) a save
served by a request has its drain run by the process's background thread after the response
(`kpis.background`); elsewhere (commands, tasks) the drain runs inline as the transaction commits.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from kpis import background
from kpis.models import PendingRecompute
from kpis.periods import parse_period_key
from units.access import UserLike

logger = logging.getLogger(__name__)
SendKeys = Callable[[list[str], int | None], object]


def queue(keys: Iterable[str], *, by: UserLike | None, producer: str) -> None:
    """Mark these period keys pending for `producer` once the current transaction commits, and make sure its
    drain runs after that (`schedule_drain`)."""
    _queue_on_commit(keys, by=by, producer=producer, send_keys=partial(_mark_and_schedule, producer))


def _mark_and_schedule(producer: str, keys: list[str], triggered_by_id: int | None) -> None:
    mark(keys, producer=producer)
    schedule_drain(producer, triggered_by_id=triggered_by_id)


def mark(keys: Iterable[str], *, producer: str) -> None:
    """Record these period keys as out of date; a key already pending just gets a newer `queued_at`.

    An upsert rather than insert-or-ignore: on PostgreSQL it locks an existing row, so a drain taking rows
    at the same moment either waits and leaves this one (skip_locked) or has already deleted it, in which
    case a new row is inserted. Sorted, so two transactions lock rows in the same order (no deadlock).
    """
    now = timezone.now()
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(producer=producer, period_key=key, queued_at=now) for key in sorted(set(keys))],
        update_conflicts=True, unique_fields=["producer", "period_key"], update_fields=["queued_at"])


def schedule_drain(producer: str, *, triggered_by_id: int | None = None) -> None:
    """Send the producer's drain to run KPIS_RECOMPUTE_DELAY_SECONDS from now, unless one is already due.

    While a drain is due, saves only add pending rows, which that drain takes: at most one run per delay and
    producer (per cache: with a shared CACHE_URL, per installation). The flag expires a second before the
    drain's ETA, so a save that sees it has committed before the drain reads.
    """
    from kpis.tasks import recompute_pending  # the tasks import the engine, which imports this module

    delay = settings.KPIS_RECOMPUTE_DELAY_SECONDS
    if celery_runs_inline() and background.enabled():
        # No worker, but a request being served: never recompute inside it (kpis.background).
        background.drain_later(producer, triggered_by_id=triggered_by_id)
        return
    if celery_runs_inline() or delay < 2:
        recompute_pending.delay(producer=producer, triggered_by_id=triggered_by_id)
        return
    flag = f"kpis:drain-due:{producer}"
    if not cache.add(flag, True, timeout=delay - 1):
        return
    try:
        recompute_pending.apply_async(kwargs={"producer": producer, "triggered_by_id": triggered_by_id},
                                      countdown=delay)
    except Exception:
        cache.delete(flag)  # nothing is due after all: the next save must try again
        raise


def celery_runs_inline() -> bool:
    """Without REDIS_URL (or in tests) tasks run inline when sent: there is no worker to wait for."""
    from config.celery import app

    return bool(app.conf.task_always_eager)


def take(producer: str, as_of: date) -> list[str]:
    """Remove and return the producer's pending period keys (rows another drain is taking are skipped).

    A key that does not parse (it cannot, short of a hand-edited row) is logged and dropped rather than
    failing the whole run; the nightly full run covers every period anyway.
    """
    with transaction.atomic():
        rows = list(PendingRecompute.objects.select_for_update(skip_locked=True).filter(producer=producer)
                    .values_list("pk", "period_key"))
        PendingRecompute.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    keys = []
    for _, key in rows:
        try:
            parse_period_key(key, as_of)
        except ValueError:
            logger.error("Dropped a pending %s recompute with a bad period key: %r", producer, key)
        else:
            keys.append(key)
    return keys


# --- One batch per transaction -------------------------------------------------------------------------------


@dataclass(eq=False)
class _Batch:
    """Period keys to send once, when the current transaction commits.

    One per transaction and producer: an import of 500 rows, or a temperature whose derived values update
    the case, marks each period once and sends one drain however many service calls touched it.
    """

    send_keys: SendKeys
    keys: set[str] = field(default_factory=set)
    sent: bool = False

    def send(self, triggered_by_id: int | None) -> None:
        """The on-commit callback of every call that added keys: the first to run sends them all."""
        if self.sent:
            return
        self.sent = True
        self.send_keys(sorted(self.keys), triggered_by_id)


# Each connection's batch per producer, held WEAKLY: only the on-commit callbacks Django holds keep a batch
# alive. When the transaction (or the savepoint a batch was started in) rolls back, Django discards those
# callbacks and the batch goes with them, so the next save starts a new one rather than carrying rolled-back
# keys into another transaction. Each call still registers its own callback (a no-op once the batch is
# sent), so its keys are sent whenever its own work commits, whatever else holds on to the batch. Only the
# public `transaction.on_commit` is used, never Django's list of callbacks.
_BATCHES: weakref.WeakKeyDictionary[object, dict[str, weakref.ref[_Batch]]] = weakref.WeakKeyDictionary()


def _open_batch(db: object, producer: str, send_keys: SendKeys) -> _Batch:
    ref = _BATCHES.get(db, {}).get(producer)
    batch = ref() if ref is not None else None
    if batch is None or batch.sent:
        batch = _Batch(send_keys)
        _BATCHES.setdefault(db, {})[producer] = weakref.ref(batch)
    return batch


def _queue_on_commit(keys: Iterable[str], *, by: UserLike | None, producer: str, send_keys: SendKeys) -> None:
    # The connection of this thread, whose transaction the save is in.
    batch = _open_batch(connections[DEFAULT_DB_ALIAS], producer, send_keys)
    batch.keys.update(keys)
    user_id = by.pk if by is not None and by.is_authenticated else None

    # A function, not a partial: Django names a robust callback by its __qualname__ when it logs its failure.
    def send_batch() -> None:
        batch.send(user_id)

    # robust: the record is saved whatever happens next (a failed send is logged and its keys stay pending
    # for beat's drain); the person saving should not see an error page.
    transaction.on_commit(send_batch, robust=True)
