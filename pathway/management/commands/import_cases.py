"""`python manage.py import_cases FILE [--user USERNAME]`: load an HIE dataset CSV (dataset.md, v1).

The whole file is checked first; on any error the per-row report is printed, nothing is written and the
command exits non-zero. Otherwise every row is created or updated (by case_ref) in one transaction
through the case services, each change audited as an import by USERNAME.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathway import csv_io
from pathway.management.commands._dataset_commands import command_user, read_input, report_import


class Command(BaseCommand):
    help = "Import an HIE dataset CSV (all rows or nothing); '-' reads standard input."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file in the HIE dataset format (v1)")
        parser.add_argument("--user", help="username the import is attributed to in the audit trail")
        parser.add_argument("--overwrite-newer", action="store_true",
                            help="import rows older than their case's last change (needs --user of a clinical nurse "
                                 "specialist; audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        by = command_user(options["user"])
        if options["overwrite_newer"] and not csv_io.may_overwrite_newer(by):
            raise CommandError("--overwrite-newer needs --user of a clinical nurse specialist")
        result = csv_io.import_file(read_input(options["file"]), by=by, overwrite_newer=options["overwrite_newer"])
        report_import(self, result, rows_word="rows")
