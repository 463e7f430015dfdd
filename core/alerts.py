"""Email administrators when a Celery task fails (the nightly KPI recompute above all).

A failed KPI run is already recorded on KpiRun and shown on the dashboard, but nobody looks at the
dashboard at 02:00: the mail makes sure someone knows before the morning's figures are relied on.
Connected to Celery's `task_failure` signal in CoreConfig.ready(), so it covers every task, in a worker
and when tasks run inline. The message names the task and the error type only: arguments and error text
can carry case details, so they stay in the worker log (where NHS numbers are redacted) and on the run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from units.models import Role

logger = logging.getLogger(__name__)


def administrator_emails() -> list[str]:
    """Active users with the Administrator role at any unit, and an email address."""
    users = get_user_model().objects.filter(
        is_active=True, memberships__role=Role.ADMINISTRATOR
    ).exclude(email="").distinct()
    return sorted(users.values_list("email", flat=True))


def mail_task_failure(task_name: str, task_id: str | None, exception: BaseException) -> int:
    """Send one message to every administrator; returns how many were addressed."""
    recipients = administrator_emails()
    if not recipients:
        logger.warning("Task %s failed and no administrator has an email address to tell", task_name)
        return 0
    subject = f"[Pathway tracker] Background task failed: {task_name}"
    body = (
        f"The background task {task_name} (id {task_id or 'unknown'}) failed with {type(exception).__name__}.\n\n"
        "If it was a KPI recompute, the KPI dashboard shows the failed run and its error, and the figures "
        "shown are from the last successful run. Check the worker log, fix the cause, then press "
        "\"Recompute now\" on the KPI dashboard (or wait for the next nightly run).\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


def on_task_failure(sender: Any = None, task_id: str | None = None, exception: BaseException | None = None,
                    **kwargs: Any) -> None:
    if not getattr(settings, "ALERT_EMAILS_ENABLED", True) or exception is None:
        return
    name = getattr(sender, "name", None) or str(sender)
    try:
        mail_task_failure(name, task_id, exception)
    except Exception:
        # A broken mail server must not hide the task's own failure, which Celery is reporting.
        logger.exception("Could not email administrators about the failure of task %s", name)


def connect() -> None:
    from celery.signals import task_failure

    task_failure.connect(on_task_failure, weak=False, dispatch_uid="core.alerts.on_task_failure")
