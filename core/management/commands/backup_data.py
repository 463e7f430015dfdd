from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core import audit
from core.backup import backup


class Command(BaseCommand):
    help = ("Write the whole database to FILE (gzip JSON lines with a checksummed manifest; see core/backup.py "
            "and docs/deployment.md). Restore it with `restore_data FILE`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        # Recorded first, so the backup holds the record of its own making.
        audit.record(actor=None, action="export", object_type="database", object_id="backup",
                     summary=f"Backup written to {file.name}")
        summary = backup(file)
        self.stdout.write(f"Backed up {summary.objects} objects of {summary.models} models to {file}")
