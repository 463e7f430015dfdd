"""`python manage.py training_reminders [--dry-run] [--as-of YYYY-MM-DD]`: email the nurse specialists the
units due a training refresher (the nightly beat task does the same). --dry-run prints and sends nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from training.reminders import send_reminders


class Command(BaseCommand):
    help = "Email the nurse specialists the units due a training refresher"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="show the email, send nothing")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        reminder = send_reminders(options["as_of"] or timezone.localdate(), dry_run=options["dry_run"])
        self.stdout.write(f"To: {', '.join(reminder.recipients) or '(no nurse specialist with an email address)'}")
        self.stdout.write(f"Subject: {reminder.subject}\n\n{reminder.body}\n")
        if reminder.sent:
            self.stdout.write(self.style.SUCCESS(f"Sent: {len(reminder.due)} units due."))
        elif not reminder.due:
            self.stdout.write("No unit is due a refresher: nothing sent.")
        else:
            self.stdout.write("Nothing sent" + (" (dry run)." if options["dry_run"] else "."))
