"""Celery tasks: thin wrappers around `pop.services.compute_pop_kpis` (style-anchors §4.2 "tasks.py").

Without REDIS_URL they run inline. A failing run is recorded on its KpiRun and the error propagates, so
Celery marks the task failed too. Each returns the run's id.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from kpis.models import KpiRun


@shared_task
def recompute_pop_all() -> int:
    """Every POP period as of today (the nightly beat entry in settings.CELERY_BEAT_SCHEDULE)."""
    from pop.services import compute_pop_kpis  # services import this module to queue tasks

    return compute_pop_kpis(trigger=KpiRun.Trigger.NIGHTLY).pk


@shared_task
def recompute_pop_pending(triggered_by_id: int | None = None) -> int | None:
    """Every POP period marked pending by record saves, in one run (sent after a short delay by
    `kpis.pending.schedule_drain`; beat also runs it every 5 minutes). None when nothing was pending."""
    from pop.services import compute_pending_pop

    by = get_user_model().objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    run = compute_pending_pop(by=by)
    return run.pk if run is not None else None
