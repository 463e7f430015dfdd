"""`python manage.py export_pop FILE [--user USERNAME]`: write every current POP record as a POP dataset CSV
(exactly the dataset.md POP columns) and audit the export with its row count."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from core import audit
from core.models import AuditEvent
from pathway.management.commands._dataset_commands import command_user, write_csv
from pop import csv_io
from pop.models import PopRecord

EXPORT_OBJECT_TYPE = "pop.record_export"


class Command(BaseCommand):
    help = "Export all current POP records as a POP dataset CSV; '-' writes to standard output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="where to write the CSV")
        parser.add_argument("--user", help="username the export is attributed to in the audit trail")
        parser.add_argument("--reason", default="", help="why the export is made (kept in the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        by = command_user(options["user"])
        path: str = options["file"]
        records = csv_io.export_queryset(PopRecord.objects.all())
        rows = write_csv(self, path, csv_io.csv_lines(csv_io.export_rows(records)))
        audit.record(actor=by, action=AuditEvent.Action.EXPORT, object_type=EXPORT_OBJECT_TYPE,
                     summary=f"Exported {rows} POP record{'' if rows == 1 else 's'} (identifiable)",
                     changes={"rows": rows, "identifiable": True, "reason": options["reason"] or "export_pop command"})
        if path != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {rows} POP records to {path}"))
