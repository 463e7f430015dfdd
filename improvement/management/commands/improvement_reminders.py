"""`python manage.py improvement_reminders [--dry-run] [--as-of YYYY-MM-DD]`: email each owner their overdue
improvement actions (the nightly beat task does the same). --dry-run prints and sends nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from improvement.reminders import send_reminders


class Command(BaseCommand):
    help = "Email each owner their overdue improvement actions"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="show the emails, send nothing")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = send_reminders(options["as_of"] or timezone.localdate(), dry_run=options["dry_run"])
        if not reminders:
            self.stdout.write("No improvement action is overdue: nothing sent.")
        for reminder in reminders:
            self.stdout.write(f"To: {reminder.recipient or '(' + reminder.owner + ' has no email address)'}")
            self.stdout.write(f"Subject: {reminder.subject}\n\n{reminder.body}\n")
        sent = sum(r.sent for r in reminders)
        ending = " (dry run)." if options["dry_run"] else "."
        self.stdout.write(f"Sent {sent} email{'s' if sent != 1 else ''}{ending}")
