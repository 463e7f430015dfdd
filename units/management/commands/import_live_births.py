"""`python manage.py import_live_births FILE [--user USERNAME]`: load live births per unit and year
(dataset.md "Live births": `unit_ods`, `year`, `live_births`). All rows or nothing; each row replaces its
unit-year's figure; every error names the file row, column, value and rule."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathway.management.commands._dataset_commands import command_user, read_input
from units.births import live_births_import


class Command(BaseCommand):
    help = "Import a live-births CSV (unit_ods, year, live_births); '-' reads standard input."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file: unit_ods, year, live_births")
        parser.add_argument("--user", help="username the import is attributed to in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        result = live_births_import(read_input(options["file"]), by=command_user(options["user"]))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s): nothing was imported")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} unit-years: {result.created} created, {result.updated} replaced, "
                f"{result.unchanged} unchanged"
            )
        )
