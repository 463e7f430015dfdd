"""Celery tasks: thin wrappers over training.reminders (beat entries in settings). The coverage KPI runs are the
KPI engine's tasks (`kpis.tasks`, producer "training")."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def send_training_reminders_task() -> int:
    """Email the nurse specialists the units due a refresher; returns how many units were due."""
    from training.reminders import send_reminders

    return len(send_reminders(timezone.localdate()).due)
