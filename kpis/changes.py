"""Which networks' figures a run changed, so the job after it prepares only theirs (`kpis.overview.warm`).

A drain after a save recomputes whole periods (every case born in them, in every network), so its periods alone
do not say whose figures moved. The engine reads each network's stored figures of the run's periods just
before the run writes and again just after (`noting`, under the producer's write lock, so no other run of the
producer writes in between), and keeps which (network, period) figures differ under the run's id in the
cache, for the job that follows the run (`of`). Two small queries a run: the network level only (networks ×
the producer's KPIs × the run's periods, a few thousand rows at 10 networks). A full run keeps nothing:
everything may have changed, and `of` says so (None).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache

from kpis.definitions.base import Level
from kpis.models import KpiAggregate, KpiRun
from kpis.producers import Job

TIMEOUT_SECONDS = 60 * 60  # the job runs straight after its run; an hour is plenty
# What a network's figure shows: a change in any of these is a change of its pages and charts.
_VALUES = ("kpi", "numerator", "denominator", "not_eligible", "missing", "rate", "n", "median", "q1", "q3")
Figures = dict[tuple[str, str], frozenset[tuple[object, ...]]]  # (network code, period key) → its rows' values


@dataclass(frozen=True)
class RunChanges:
    """The (network code, period key) pairs whose figures a run of some periods changed."""

    pairs: frozenset[tuple[str, str]]

    @property
    def networks(self) -> frozenset[str]:
        return frozenset(network for network, _ in self.pairs)

    @property
    def periods(self) -> frozenset[str]:
        return frozenset(key for _, key in self.pairs)


def _key(run_id: int) -> str:
    return f"kpis:run-changes:{run_id}"


def network_figures(codes: Collection[str], period_keys: Collection[str]) -> Figures:
    """Every network's stored figures of these KPIs and periods (one query)."""
    found: defaultdict[tuple[str, str], set[tuple[object, ...]]] = defaultdict(set)
    rows = (KpiAggregate.objects.filter(level=Level.NETWORK, kpi__in=codes, period_key__in=period_keys)
            .values_list("org_code", "period_key", *_VALUES))
    for network, key, *values in rows:
        found[(network, key)].add(tuple(values))
    return {pair: frozenset(values) for pair, values in found.items()}


def differing(before: Figures, after: Figures) -> frozenset[tuple[str, str]]:
    """The pairs whose figures were added, removed or changed."""
    return frozenset(pair for pair in before.keys() | after.keys() if before.get(pair) != after.get(pair))


@contextmanager
def noting(job: Job) -> Iterator[None]:
    """Around a run's write: keep which networks' figures it changed (nothing for a full run). Call it under
    the producer's write lock; if the write fails, nothing is kept."""
    if job.selected is None:
        yield
        return
    codes, keys = list(job.versions), [period.key for period in job.selected]
    before = network_figures(codes, keys)
    yield
    cache.set(_key(job.run.pk), differing(before, network_figures(codes, keys)), TIMEOUT_SECONDS)


def of(run: KpiRun) -> RunChanges | None:
    """What the run changed; None when that is not known (a full run, or a run whose note the cache has lost):
    then everything may have."""
    if run.scope == KpiRun.Scope.FULL:
        return None
    pairs = cache.get(_key(run.pk))
    return None if pairs is None else RunChanges(frozenset(pairs))
