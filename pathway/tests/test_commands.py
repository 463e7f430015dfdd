"""The exact words of the HIE import, export and seed commands (their output is read by people and scripts)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.testing.personas import Personas
from pathway.tests.test_csv_io import csv_text, row


def _import(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def test_import_reports_every_error_and_the_count(network: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(row(case_ref="A", birth_weight_g="heavy"), row(case_ref="B", sex="x")),
                    encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_cases", str(path), stderr=err)
    assert str(raised.value) == "2 errors in 2 rows: nothing was imported"
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Row 2, birth_weight_g, 'heavy'", "Row 3, sex, 'x'"]


def test_import_with_one_error_says_so_in_the_singular(network: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(row(sex="x")), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_cases", str(path), stderr=io.StringIO())
    assert str(raised.value) == "1 error in 1 row: nothing was imported"


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


def test_seed_refuses_bad_options_before_writing(network: None) -> None:
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError) as raised:
        call_command("seed_demo", "--as-of", future.isoformat())
    assert str(raised.value) == f"--as-of {future} is in the future: births cannot be in the future."
    with pytest.raises(CommandError) as raised:
        call_command("seed_demo", "--years", "21")
    assert str(raised.value) == "--years must be between 1 and 20."


def test_seed_on_a_database_with_cases(people: Personas, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(csv_text(row(case_ref="A")), encoding="utf-8")
    _import(path)
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert out.getvalue() == "1 cases already in the database: demo data not loaded.\n"
    with pytest.raises(CommandError) as raised:
        call_command("seed_demo")
    assert str(raised.value) == ("The database already holds 1 cases. seed_demo only fills an empty database (its "
                                 "case references would clash); use --if-empty to skip quietly.")
