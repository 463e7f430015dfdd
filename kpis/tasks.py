"""Celery tasks: thin wrappers that call `kpis.services.compute` (style-anchors.md §4.2 "tasks.py").

Without REDIS_URL they run inline (CELERY_TASK_ALWAYS_EAGER). A failing task leaves a `failed` KpiRun with
the error text, and the error propagates so Celery marks the task failed too. Each returns the run's id.
After a run that succeeded, the network overview is prepared for its first visitor and, in a worker, the
charts it links to are drawn (only those whose figures changed: `_warmed`, `kpis.overview.warm`).
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from kpis.models import KpiRun


def _warmed(run: KpiRun) -> KpiRun:
    from kpis import overview  # draws with matplotlib: imported only by the worker that runs KPI jobs

    if run.status == KpiRun.Status.SUCCEEDED:
        overview.warm()
    return run


@shared_task
def recompute_all() -> int:
    """Every period, as of today (the nightly beat entry in settings.CELERY_BEAT_SCHEDULE)."""
    from kpis.services import compute  # services import this module to queue tasks

    return _warmed(compute(trigger=KpiRun.Trigger.NIGHTLY)).pk


@shared_task
def recompute_run(run_id: int) -> int:
    """A run already recorded by `services.start_full_recompute` (the "Recompute now" button)."""
    from kpis.services import compute_run

    return _warmed(compute_run(KpiRun.objects.get(pk=run_id))).pk


@shared_task
def recompute_pending(triggered_by_id: int | None = None) -> int | None:
    """Every period marked pending by case saves, in one run (`services.schedule_drain` sends it after a
    short delay; beat also runs it every few minutes to catch keys a broker outage left behind). Returns the
    run's id, or None when another drain had already taken everything."""
    from kpis.services import compute_pending

    by = get_user_model().objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    run = compute_pending(by=by)
    return _warmed(run).pk if run is not None else None
