"""What the HIE and POP dataset commands share (import_cases / import_pop, export_cases / export_pop, seed_demo /
seed_pop): who a change is attributed to, reading and writing a CSV given as a path or '-', the import report and
the seed commands' checks. The leading underscore keeps Django from listing this module as a command.

The words printed stay each command's own (dataset.md: "cases" for the HIE file, "POP rows" for POP); only the
logic that says them lives here once.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Model
from django.utils import timezone

from core.files import open_private
from pathway.csv_io import ImportResult
from units.access import UserLike
from units.demo_users import demo_users_ensure
from units.models import Unit
from units.services import network_load_reference


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


def report_import(command: BaseCommand, result: ImportResult, *, rows_word: str) -> None:
    """Every error on stderr then a CommandError (the import is all or nothing), or the one success line."""
    if not result.ok:
        for error in result.errors:
            command.stderr.write(f"Row {error.row}, {error.column or '(row)'}, {error.value!r}: {error.message}")
        raise CommandError(f"{len(result.errors)} error{'s' if len(result.errors) != 1 else ''} in "
                           f"{result.bad_rows} row{'s' if result.bad_rows != 1 else ''}: nothing was imported")
    command.stdout.write(command.style.SUCCESS(
        f"Imported {result.rows} {rows_word}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged; {result.flagged} flagged for data quality"))


def write_csv(command: BaseCommand, path: str, lines: Iterable[str]) -> int:
    """Write the file line by line to `path` ('-': standard output); the number of data rows written."""
    if path == "-":
        return _write_lines(lambda line: command.stdout.write(line, ending=""), lines)
    try:
        # Owner-only (0600): the file holds the register's rows (core.files).
        with io.TextIOWrapper(open_private(path), encoding="utf-8", newline="") as out:
            return _write_lines(out.write, lines)
    except OSError as exc:
        raise CommandError(f"Cannot write {path}: {exc.strerror}") from None


def _write_lines(write: Callable[[str], object], lines: Iterable[str]) -> int:
    count = -1  # the header is not a row
    for line in lines:
        write(line)
        count += 1
    return count


def seed_skipped(command: BaseCommand, *, existing: int, rows_word: str, data_word: str, if_empty: bool) -> bool:
    """True (after saying so) when --if-empty finds rows already there; refuses when it was not given, because
    the generated case references would clash with the rows there."""
    if existing and if_empty:
        command.stdout.write(f"{existing} {rows_word} already in the database: {data_word} not loaded.")
        return True
    if existing:
        name = type(command).__module__.rsplit(".", 1)[-1]
        raise CommandError(f"The database already holds {existing} {rows_word}. {name} only fills an empty "
                           "database (its case references would clash); use --if-empty to skip quietly.")
    return False


def seed_as_of(options: dict[str, Any], *, max_years: int) -> date:
    """The --as-of date (default today), once --as-of and --years are known to be sensible."""
    today = timezone.localdate()
    as_of: date = options["as_of"] or today
    if as_of > today:
        raise CommandError(f"--as-of {as_of} is in the future: births cannot be in the future.")
    if not 1 <= options["years"] <= max_years:
        raise CommandError(f"--years must be between 1 and {max_years}.")
    return as_of


def demo_author_and_units() -> tuple[UserLike, dict[str, Unit]]:
    """Load the network and the demo logins; the demo data's author and every unit by ODS code. The clinical
    nurse specialist keeps the regional register, so she writes the demo records."""
    network_load_reference()
    author = demo_users_ensure()["nurse"]
    return author, {unit.ods_code: unit for unit in Unit.objects.all()}


def clear_taken_nhs_numbers(generated: list[dict[str, Any]], model: type[Model]) -> None:
    """Blank a generated record's NHS number where a stored `model` row already has it: a second network's
    seed may draw a number the first network's demo data holds, and NHS numbers are unique per record."""
    wanted = [values["nhs_number"] for values in generated if values["nhs_number"]]
    taken = set(model._default_manager.filter(nhs_number__in=wanted).values_list("nhs_number", flat=True))
    for values in generated:
        if values["nhs_number"] in taken:
            values["nhs_number"] = ""
