"""`python manage.py export_cases FILE [--user USERNAME]`: write every current case as an HIE dataset CSV
(dataset.md, v1), identifiable unless --pseudonymised, and audit the export with its row count."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathway import csv_io
from pathway.management.commands.import_cases import command_user
from pathway.models import Case


def _write(write: Callable[[str], object], *, pseudonymised: bool) -> int:
    """Write the file line by line; the number of case rows written."""
    pseudonymise = csv_io.Pseudonymiser() if pseudonymised else None
    rows = csv_io.export_rows(csv_io.export_queryset(Case.objects.all()), pseudonymise)
    count = -1  # the header is not a case
    for line in csv_io.csv_lines(rows):
        write(line)
        count += 1
    return count


class Command(BaseCommand):
    help = "Export all current cases as an HIE dataset CSV; '-' writes to standard output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="where to write the CSV")
        parser.add_argument("--user", help="username the export is attributed to in the audit trail")
        parser.add_argument("--pseudonymised", action="store_true",
                            help="replace case_ref by a per-export pseudonym and leave out NHS numbers")
        parser.add_argument("--reason", default="", help="why the export is made (kept in the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        by = command_user(options["user"])
        pseudonymised: bool = options["pseudonymised"]
        path: str = options["file"]
        if path == "-":
            rows = _write(lambda line: self.stdout.write(line, ending=""), pseudonymised=pseudonymised)
        else:
            try:
                with Path(path).open("w", encoding="utf-8", newline="") as out:
                    rows = _write(out.write, pseudonymised=pseudonymised)
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc.strerror}") from None
        csv_io.record_export(by=by, rows=rows, identifiable=not pseudonymised,
                             reason=options["reason"] or "export_cases command")
        if path != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {rows} cases to {path}"))
