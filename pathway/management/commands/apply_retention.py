"""`python manage.py apply_retention [--dry-run] [--user USERNAME]`: delete the cases past CASE_RETENTION_YEARS and
the POP records past POP_RETENTION_YEARS with their history, family support log and stored exports, rewrite every
other row that names them (`pathway.retention`), audited, and print the counts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from pathway.management.commands._dataset_commands import command_user
from pathway.retention import apply_retention


class Command(BaseCommand):
    help = (f"Delete cases born more than CASE_RETENTION_YEARS (now {settings.CASE_RETENTION_YEARS}) years ago and POP "
            f"records born more than POP_RETENTION_YEARS (now {settings.POP_RETENTION_YEARS}) years ago, with their "
            "history, family support log and stored exports, and remove their identifiers from every other row; "
            "--dry-run only counts them.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted; change nothing")
        parser.add_argument("--user", help="username the deletion is attributed to in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        result = apply_retention(dry_run=options["dry_run"], by=command_user(options["user"]))
        verb = "Would delete" if result.dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.cases} case{'' if result.cases == 1 else 's'} born before {result.born_before:%d/%m/%Y} "
            f"({settings.CASE_RETENTION_YEARS}-year retention): {result.temperatures} temperatures, "
            f"{result.family_logs} family support logs, {result.history_rows} history rows, "
            f"{result.export_files} stored case exports. "
            f"{verb} {result.pop_records} POP record{'' if result.pop_records == 1 else 's'} born before "
            f"{result.pop_born_before:%d/%m/%Y} ({settings.POP_RETENTION_YEARS}-year retention): "
            f"{result.pop_history_rows} history rows. {'Would remove' if result.dry_run else 'Removed'} their "
            f"identifiers from {result.rows_pseudonymised} other rows, "
            f"{result.import_files} import uploads and {result.searches_forgotten} remembered searches.")
