"""`python manage.py load_organisations FILE [FILE ...]`: load organisations reference files (regions, ICBs,
LMNS, trusts, networks, units and their placements; docs/organisations.md). Each file is all or nothing;
loading again updates by code and never deletes."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from units.services import OrganisationsFileError, organisations_load_file


class Command(BaseCommand):
    help = "Load or update organisations, networks and units from reference CSV files (docs/organisations.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", help="e.g. units/reference/organisations/london.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["files"]:
            try:
                summary = organisations_load_file(path)
            except OrganisationsFileError as exc:
                for error in exc.errors:
                    self.stderr.write(f"{path}: {error}")
                raise CommandError(f"{path}: {len(exc.errors)} error(s): nothing was loaded from it") from exc
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"{path}: {summary}"))
