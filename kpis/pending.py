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
producer's drain every 5 minutes, for keys whose drain could not be sent. With Celery eager (no Redis) the
drain runs inline as the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

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


@dataclass
class _Batch:
    """Period keys to send when the current transaction commits.

    One per transaction and producer: an import of 500 rows, or a temperature whose derived values update
    the case, queues each period once however many service calls touched it.
    """

    send_keys: SendKeys
    keys: set[str] = field(default_factory=set)
    triggered_by_id: int | None = None
    sent: bool = False

    def send(self) -> None:
        self.sent = True
        self.send_keys(sorted(self.keys), self.triggered_by_id)


def _waiting_batch(attribute: str) -> _Batch | None:
    """This transaction's batch, if its on-commit callback is still waiting.

    A rollback (of the transaction or of the savepoint it was queued in) drops the callback, and a sent
    batch is finished: either way a new one is started.
    """
    db = transaction.get_connection()
    batch: _Batch | None = getattr(db, attribute, None)
    if batch is None or batch.sent or not db.in_atomic_block:
        return None
    waiting = any(callback == batch.send for _, callback, _ in db.run_on_commit)
    return batch if waiting else None


def _queue_on_commit(keys: Iterable[str], *, by: UserLike | None, producer: str, send_keys: SendKeys) -> None:
    attribute = f"kpis_pending_{producer}"
    keys = set(keys)
    batch = _waiting_batch(attribute)
    if batch is not None:
        batch.keys |= keys
        return
    user_id = by.pk if by is not None and by.is_authenticated else None
    batch = _Batch(send_keys, keys=keys, triggered_by_id=user_id)
    setattr(transaction.get_connection(), attribute, batch)
    # robust: the record is saved whatever happens next (a failed send is logged and its keys stay pending
    # for beat's drain); the person saving should not see an error page.
    transaction.on_commit(batch.send, robust=True)
