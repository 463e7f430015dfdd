"""`python manage.py import_cases FILE [--user USERNAME]`: load an HIE dataset CSV (dataset.md, v1).

The whole file is checked first; on any error the per-row report is printed, nothing is written and the
command exits non-zero. Otherwise every row is created or updated (by case_ref) in one transaction
through the case services, each change audited as an import by USERNAME.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pathway import csv_io
from units.access import UserLike


def command_user(username: str | None) -> UserLike | None:
    """The user an import or export is attributed to (None: the system)."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user called '{username}'")
    return user


def read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None


class Command(BaseCommand):
    help = "Import an HIE dataset CSV (all rows or nothing); '-' reads standard input."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file in the HIE dataset format (v1)")
        parser.add_argument("--user", help="username the import is attributed to in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        by = command_user(options["user"])
        result = csv_io.import_file(read_input(options["file"]), by=by)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"Row {error.row}, {error.column or '(row)'}, {error.value!r}: {error.message}")
            raise CommandError(f"{len(result.errors)} error{'s' if len(result.errors) != 1 else ''} in "
                               f"{result.bad_rows} row{'s' if result.bad_rows != 1 else ''}: nothing was imported")
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.flagged} flagged for data quality"))
