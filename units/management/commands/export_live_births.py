"""`python manage.py export_live_births FILE [--user USERNAME]`: write every unit-year's live births in the
import format (`unit_ods`, `year`, `live_births`); the export is audited."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pathway.management.commands._dataset_commands import command_user, write_csv
from units.births import csv_lines, export_queryset, record_export


class Command(BaseCommand):
    help = "Export live births per unit and year as CSV; '-' writes to standard output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="where to write the CSV")
        parser.add_argument("--user", help="username the export is attributed to in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        by = command_user(options["user"])
        rows = write_csv(self, options["file"], csv_lines(export_queryset()))
        record_export(by=by, rows=rows, how="export_live_births command")
        if options["file"] != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {rows} unit-years to {options['file']}"))
