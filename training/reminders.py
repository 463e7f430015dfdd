"""The nightly refresher reminder: email the nurse specialists the units whose training is due.

Sent by the beat task and by `python manage.py training_reminders [--dry-run]`; both call `send_reminders`.
Nothing is sent when no unit is due or no nurse specialist has an email address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from training.selectors import UnitCoverage, refresher_days, units_due
from units.models import Role


@dataclass(frozen=True)
class Reminder:
    recipients: list[str]
    subject: str
    body: str
    due: list[UnitCoverage]
    sent: bool


def recipients() -> list[str]:
    """Active users holding the nurse-specialist role at an active unit, with an email address."""
    users = get_user_model().objects.filter(
        is_active=True, memberships__role=Role.NURSE_SPECIALIST, memberships__unit__active=True,
    ).exclude(email="").distinct().order_by("email")
    return sorted({user.email for user in users})


def compose(due: list[UnitCoverage], today: date) -> tuple[str, str]:
    count = len(due)
    subject = f"Training refreshers due: {count} unit{'s' if count != 1 else ''} ({today:%d/%m/%Y})"
    lines = [
        f"These units are due a training refresher (every {refresher_days()} days, by last session and by "
        "key message):",
        "",
    ]
    for row in due:
        lines.append(f"- {row.unit.short_name} ({row.unit.ods_code}), coverage {row.coverage.text}:")
        lines.extend(f"    {reason}" for reason in row.refresher.reasons)
    lines += ["", f"Training coverage: {reverse('training:coverage')}"]
    return subject, "\n".join(lines)


def send_reminders(today: date, *, dry_run: bool = False) -> Reminder:
    due = units_due(today)
    to = recipients()
    subject, body = compose(due, today)
    send = bool(due and to) and not dry_run
    if send:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return Reminder(to, subject, body, due, send)
