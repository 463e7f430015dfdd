"""`python manage.py import_pop FILE [--user USERNAME]`: load a POP dataset CSV (dataset.md, POP columns).

The whole file is checked first; on any error the per-row report is printed, nothing is written and the
command exits non-zero. Otherwise every row is created or updated (by case_ref) in one transaction through
the POP services, each change audited as an import by USERNAME.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathway.management.commands.import_cases import command_user, read_input
from pop import csv_io


class Command(BaseCommand):
    help = "Import a POP dataset CSV (all rows or nothing); '-' reads standard input."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file with the POP dataset columns")
        parser.add_argument("--user", help="username the import is attributed to in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        result = csv_io.import_file(read_input(options["file"]), by=command_user(options["user"]))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"Row {error.row}, {error.column or '(row)'}, {error.value!r}: {error.message}")
            raise CommandError(f"{len(result.errors)} error{'s' if len(result.errors) != 1 else ''} in "
                               f"{result.bad_rows} row{'s' if result.bad_rows != 1 else ''}: nothing was imported")
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.rows} POP rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.flagged} flagged for data quality"))
