"""Celery tasks: thin wrappers over training.services and training.reminders (beat entries in settings)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def compute_training_kpis_task(nightly: bool = False) -> int:
    """Replace the coverage KPI rows as of today (nightly, and on commit after every training write)."""
    from kpis.models import KpiRun
    from training.services import compute_training_kpis  # services import this module to queue it

    trigger = KpiRun.Trigger.NIGHTLY if nightly else KpiRun.Trigger.MANUAL
    return compute_training_kpis(timezone.localdate(), trigger=trigger).pk


@shared_task
def send_training_reminders_task() -> int:
    """Email the nurse specialists the units due a refresher; returns how many units were due."""
    from training.reminders import send_reminders

    return len(send_reminders(timezone.localdate()).due)
