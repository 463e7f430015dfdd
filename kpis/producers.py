"""Producers of stored figures, and the registry the KPI engine finds them in.

A producer owns some KPI codes (kpis.md "Conventions": Aggregate) and knows how to compute their figures from
its own records. Three exist: the HIE engine over cases (`kpis.services`, this app), POP over POP records
(`pop.services`) and training coverage (`training.services`). The engine (`kpis.engine`) does everything else
the same way for all of them: it records the `KpiRun` (with the producer's name), takes the producer's write
lock, marks the run succeeded or records its failure, drains its pending recomputes and says how fresh its
figures are (`kpis.freshness`).

A producer computes in two steps, so that slow reading never holds the write lock:

1. `read(job)`, outside any transaction: e.g. load and evaluate every case, committing progress as it goes;
2. `write(job, read)`, inside the run's one transaction, under the producer's lock: finish the figures and
   replace its rows (`job.replace`); the engine marks the run succeeded in the same transaction. On the
   embedded SQLite (`job.short_writes`) there is no such transaction: `write` runs under the producer's lock
   only and writes every table through `job.replace` / `kpis.figures.replace_rows`, in short transactions.

A producer with little to read does it all in `write` (POP, training). Each app registers its producer when
Django starts (`AppConfig.ready`), so this app never imports the apps whose figures it stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from django.db.models import Q

from kpis import figures as stored
from kpis.aggregate import Figure
from kpis.models import KpiRun
from kpis.periods import Period, periods_for_months

ReadT = TypeVar("ReadT")


@dataclass(frozen=True)
class Job:
    """One run as a producer sees it: what to compute, as of when, and the engine's helpers."""

    run: KpiRun
    selected: list[Period] | None  # None: every period
    versions: Mapping[str, int]  # the producer's codes and definition versions, read once for the run
    # Set (the embedded SQLite): `write` runs outside any transaction and every replace writes in short ones
    # (`kpis.figures.ShortWrites`), so a record save never waits for a whole run. None: one transaction.
    short_writes: stored.ShortWrites | None = None

    @property
    def as_of(self) -> date:
        return self.run.as_of

    def progress(self, done: int, total: int | None = None) -> None:
        """Commit how far the run has got (call it outside the write transaction, or nobody sees it)."""
        values = {"progress_done": done} if total is None else {"progress_done": done, "progress_total": total}
        KpiRun.objects.filter(pk=self.run.pk).update(**values)

    def periods(self, months: Iterable[date]) -> list[Period]:
        """The periods to compute: those listed, or every period holding one of these birth months."""
        return self.selected if self.selected is not None else periods_for_months(months, self.as_of)

    def born_in_scope(self, field: str) -> Q:
        """Records whose `field` (an aware date-time) falls in a listed period; every record for a full run.
        Periods are London dates, so their bounds are London midnights; overlapping periods are merged."""
        if self.selected is None:
            return Q()
        query = Q(pk__in=[])
        for start, end in _merged_bounds(self.selected):
            query |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        return query

    def in_scope(self, day: date) -> bool:
        return self.selected is None or any(period.contains(day) for period in self.selected)

    def replace(self, computed: Iterable[Figure]) -> int:
        """Replace the producer's stored figures of the periods computed with these (`kpis.figures.replace`):
        exactly its codes, and for a run of listed periods exactly those periods."""
        return stored.replace(computed, run=self.run, codes=self.versions.keys(),
                              period_keys=None if self.selected is None else [p.key for p in self.selected],
                              short=self.short_writes)


def _merged_bounds(periods: Iterable[Period]) -> list[tuple[datetime, datetime]]:
    """The periods' [from, to) instants, overlapping ones merged (a record's periods are one span)."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(p.utc_bounds() for p in periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Written:
    """What a producer's `write` did: figures stored, and records evaluated (the run's progress)."""

    rows: int
    evaluated: int


class Producer(ABC, Generic[ReadT]):
    """One source of stored figures. Subclasses set the class attributes and implement the three methods."""

    name: ClassVar[str]  # stored on KpiRun.producer and PendingRecompute.producer (at most 8 characters)
    title: ClassVar[str]  # how logs and pages name its runs: "HIE", "POP", "training coverage"
    lock_key: ClassVar[int]  # its pg_advisory_xact_lock key: one run of a producer writes at a time
    # False: it cannot compute some periods only, so every run (a drain's too) computes every period.
    partial: ClassVar[bool] = True

    @abstractmethod
    def versions(self) -> dict[str, int]:
        """{KPI code: definition version} of every code it stores, read once at the start of each run."""

    @abstractmethod
    def read(self, job: Job) -> ReadT:
        """Work done before the write transaction (outside the lock); its result is handed to `write`."""

    @abstractmethod
    def write(self, job: Job, read: ReadT) -> Written:
        """Compute and replace the figures, inside the run's transaction and under the producer's lock."""

    def after_task(self, run: KpiRun) -> None:
        """Called by the Celery tasks after a run they carried out succeeded (e.g. draw a chart ahead)."""


_REGISTRY: dict[str, Producer[Any]] = {}


def register(producer: Producer[Any]) -> None:
    """Make a producer known to the engine and its tasks (each app calls this from `AppConfig.ready`)."""
    known = _REGISTRY.get(producer.name)
    if known is not None and type(known) is not type(producer):
        # Two producers under one name would replace each other's runs, locks and pending periods.
        raise ValueError(f"A KPI producer named {producer.name!r} is already registered ({type(known).__name__})")
    _REGISTRY[producer.name] = producer


def get(name: str) -> Producer[Any]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"No KPI producer named {name!r} is registered (known: {sorted(_REGISTRY)})") from None


def registered() -> tuple[Producer[Any], ...]:
    return tuple(_REGISTRY.values())
