"""python manage.py send_monthly_report [--dry-run]: the monthly network report to every network lead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reporting.services import monthly_report_send


class Command(BaseCommand):
    help = "Email the network KPI report (12 months to last month, PDF attached) to every network lead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Build the report and show who would get it; send and log nothing")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        plan = monthly_report_send(dry_run=dry_run)
        to = ", ".join(plan.recipients) or "nobody (no network lead has an email address)"
        verb = "Would send" if dry_run else ("Sent" if plan.recipients else "Did not send")
        self.stdout.write(f"{verb} '{plan.subject}' to {to}")
        if dry_run:
            self.stdout.write(plan.body)
