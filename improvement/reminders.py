"""Overdue reminders: each owner with an email address gets one email listing their overdue actions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail

from improvement import catalogue
from improvement.models import ImprovementAction


@dataclass(frozen=True)
class Reminder:
    recipient: str  # the owner's email address ("" when they have none: listed, never sent)
    owner: str
    actions: tuple[ImprovementAction, ...]
    sent: bool

    @property
    def subject(self) -> str:
        count = len(self.actions)
        return f"{count} overdue improvement action{'s' if count != 1 else ''}"

    @property
    def body(self) -> str:
        lines = [f"Dear {self.owner},", "", "These improvement actions you own are past their due date:", ""]
        for action in self.actions:
            where = action.unit.short_name if action.unit else "Network"
            lines.append(f"- {where}, {catalogue.title(action.kpi)}: {action.change_idea.strip()[:120]} "
                         f"(due {action.due_date:%d/%m/%Y}, {action.get_status_display().lower()})")
        lines += ["", "Update them, record a PDSA cycle or change the due date in the pathway tracker."]
        return "\n".join(lines)


def send_reminders(today: date, *, dry_run: bool = False) -> list[Reminder]:
    """One email per owner (one query for all overdue actions); nothing is sent when none is overdue."""
    by_owner: dict[int, list[ImprovementAction]] = defaultdict(list)
    for action in ImprovementAction.objects.overdue(today).select_related("owner", "unit").order_by("due_date"):
        by_owner[action.owner_id].append(action)
    reminders = []
    for actions in by_owner.values():
        owner = actions[0].owner
        reminder = Reminder(owner.email, owner.get_full_name() or owner.get_username(), tuple(actions), sent=False)
        if owner.email and not dry_run:
            send_mail(reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, [owner.email])
            reminder = Reminder(reminder.recipient, reminder.owner, reminder.actions, sent=True)
        reminders.append(reminder)
    return reminders
