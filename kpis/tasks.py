"""Celery tasks: thin wrappers over `kpis.engine`, for every producer of figures (style-anchors.md §4.2 "tasks.py").

Each takes the producer's name (`kpis.producers`: "hie", the default, "pop", "training"); beat runs them per
producer (settings.CELERY_BEAT_SCHEDULE). Without REDIS_URL they run inline (CELERY_TASK_ALWAYS_EAGER). A
failing task leaves a `failed` KpiRun with the error text, and the error propagates so Celery marks the task
failed too. Each returns the run's id. After a run that succeeded the producer may do more in the worker
(`Producer.after_task`: the HIE producer draws the network overview chart for its first visitor), and other apps
hear of it (`kpis.signals.figures_changed`: the board reports draw their drafts' charts).
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from kpis.models import HIE, KpiRun


def _finished(run: KpiRun) -> int:
    from kpis import producers
    from kpis.signals import figures_changed

    if run.status == KpiRun.Status.SUCCEEDED:
        producers.get(run.producer).after_task(run)
        figures_changed.send(sender=KpiRun, producer=run.producer, run=run)
    return run.pk


@shared_task
def recompute_all(producer: str = HIE) -> int:
    """Every period of the producer's figures, as of today (the nightly beat entries)."""
    from kpis import engine  # the engine imports this module to send tasks

    return _finished(engine.compute(producer, trigger=KpiRun.Trigger.NIGHTLY))


@shared_task
def recompute_run(run_id: int) -> int:
    """A run already recorded by `engine.start` (the dashboard's "Recompute now" button)."""
    from kpis import engine

    return _finished(engine.compute_run(KpiRun.objects.get(pk=run_id)))


@shared_task
def recompute_pending(producer: str = HIE, triggered_by_id: int | None = None) -> int | None:
    """Every period of the producer marked pending by record saves, in one run (`kpis.pending.schedule_drain`
    sends it after a short delay; beat also runs it every 5 minutes to catch keys a broker outage left behind).
    Returns the run's id, or None when another drain had already taken everything."""
    from kpis import engine

    by = get_user_model().objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    run = engine.compute_pending(producer, by=by)
    return _finished(run) if run is not None else None
