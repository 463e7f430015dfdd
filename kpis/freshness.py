"""How fresh a producer's stored figures are: "data as of", and whether to warn (every dashboard, /health/).

Per producer (`KpiRun.producer`): a POP or training run says nothing about the HIE figures, and a training
run after a failed HIE run must not hide that failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from kpis.models import KpiRun, PendingRecompute

# The full runs are nightly (HIE 02:00, POP and training 02:30): older than 26 h means last night's did not finish.
STALE_AFTER = timedelta(hours=26)


@dataclass(frozen=True)
class Freshness:
    """"Data as of" the producer's latest successful full run, and its latest run of any kind."""

    as_of: datetime | None
    last_full: KpiRun | None
    latest: KpiRun | None
    now: datetime
    waiting_since: datetime | None = None  # the oldest change not yet in the figures (PendingRecompute)

    @property
    def failed(self) -> KpiRun | None:
        """The newest run, when it failed (a later success clears the warning)."""
        return self.latest if self.latest and self.latest.status == KpiRun.Status.FAILED else None

    @property
    def stale(self) -> bool:
        return self.as_of is None or self.now - self.as_of > STALE_AFTER

    @property
    def running(self) -> KpiRun | None:
        return self.latest if self.latest and self.latest.status == KpiRun.Status.RUNNING else None

    @property
    def run_date(self) -> date | None:
        """The date the newest figures were computed for (birth cohorts and "not over yet" are judged on it)."""
        if self.latest is not None and self.latest.status == KpiRun.Status.SUCCEEDED:
            return self.latest.as_of
        return self.last_full.as_of if self.last_full else None


def freshness(producer: str, now: datetime | None = None) -> Freshness:
    """Three queries whatever the data size: the last full run, the newest run, the oldest pending change."""
    runs = KpiRun.objects.filter(producer=producer).order_by("-started_at", "-id")
    last_full = runs.filter(scope=KpiRun.Scope.FULL, status=KpiRun.Status.SUCCEEDED).first()
    waiting = PendingRecompute.objects.filter(producer=producer).aggregate(since=Min("queued_at"))["since"]
    return Freshness(as_of=last_full.finished_at if last_full else None, last_full=last_full,
                     latest=runs.first(), now=now or timezone.now(), waiting_since=waiting)
