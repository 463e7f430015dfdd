"""Celery tasks: thin wrappers (beat entry in settings, "# --- improvement ---")."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def send_improvement_reminders_task() -> int:
    """Email each owner their overdue improvement actions; returns how many emails were sent."""
    from improvement.reminders import send_reminders

    return sum(r.sent for r in send_reminders(timezone.localdate()))
