"""The exact words of the HIE import and export commands (their output is read by people and scripts). The import
error report and the seed commands' checks, shared with POP, are pinned for both in pop/tests/test_commands.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.testing.personas import Personas
from pathway.tests.test_csv_io import csv_text, row


def _import(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def test_import_success_line_and_unreadable_file(people: Personas, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(csv_text(row(case_ref="A"), row(case_ref="B")), encoding="utf-8")
    assert _import(path) == ("Imported 2 rows: 2 created, 0 updated, 0 unchanged; 0 flagged for data quality\n",
                             "")
    with pytest.raises(CommandError, match=r"^Cannot read .*missing.csv: No such file or directory$"):
        call_command("import_cases", str(tmp_path / "missing.csv"))


def test_export_to_stdout_and_to_a_file(people: Personas, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(csv_text(row(case_ref="A")), encoding="utf-8")
    _import(path)
    out = io.StringIO()
    call_command("export_cases", "-", stdout=out)
    assert out.getvalue().startswith("case_ref,") and out.getvalue().count("\r\n") == 2
    target = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("export_cases", str(target), stdout=out, no_color=True)
    assert out.getvalue() == f"Exported 1 cases to {target}\n"
    with pytest.raises(CommandError, match=r"^Cannot write .*: No such file or directory$"):
        call_command("export_cases", str(tmp_path / "no" / "out.csv"))
