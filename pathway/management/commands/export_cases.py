"""`python manage.py export_cases FILE [--user USERNAME]`: write every current case as an HIE dataset CSV
(dataset.md, v1), identifiable unless --pseudonymised, and audit the export with its row count."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pathway import csv_io
from pathway.management.commands._dataset_commands import command_user, write_csv
from pathway.models import Case


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
        pseudonymise = csv_io.Pseudonymiser() if pseudonymised else None
        rows = write_csv(self, path, csv_io.csv_lines(
            csv_io.export_rows(csv_io.export_queryset(Case.objects.all()), pseudonymise)))
        csv_io.record_export(by=by, rows=rows, identifiable=not pseudonymised,
                             reason=options["reason"] or "export_cases command")
        if path != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {rows} cases to {path}"))
