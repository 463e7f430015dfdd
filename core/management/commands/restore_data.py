from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import audit
from core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = ("Replace the database's contents with a backup from `backup_data`. Checks every checksum and the "
            "migration state first; loads in one transaction, so a damaged file changes nothing. "
            "Everyone is signed out.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Confirm replacing every table's contents")
        parser.add_argument("--check", action="store_true", help="Only verify the file; change nothing")

    def handle(self, *args: Any, file: Path, yes: bool, check: bool, **options: Any) -> None:
        try:
            if check:
                manifest = verify(file)
                total = sum(m["count"] for m in manifest["models"].values())
                self.stdout.write(f"{file} is a complete backup of {total} objects made {manifest['created']}")
                return
            if not yes:
                raise CommandError("Restoring replaces every table's contents: add --yes to confirm")
            summary = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        audit.record(actor=None, action="import", object_type="database", object_id="restore",
                     summary=f"Database restored from {file.name}", changes={"objects": summary.objects})
        self.stdout.write(f"Restored {summary.objects} objects of {summary.models} models from {file}")
