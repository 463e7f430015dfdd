"""The exact words of the POP import, export and seed commands, and of the HIE import error report and seed checks
they share (their output is read by people and scripts)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services as case_services
from pathway.tests.test_csv_io import csv_text as hie_csv_text
from pathway.tests.test_csv_io import row as hie_row
from pop import services
from pop.tests.factories import pop_values
from pop.tests.test_csv_io import GOOD, csv_text


def _hie_file(*bad: dict[str, Any]) -> str:
    return hie_csv_text(*(hie_row(case_ref=f"HIE-{n}", **cells) for n, cells in enumerate(bad)))


def _pop_file(*bad: dict[str, str]) -> str:
    return csv_text(*({**GOOD, "case_ref": f"POP-{n}", **cells} for n, cells in enumerate(bad)))


@pytest.mark.parametrize(("command", "file_of"), [("import_cases", _hie_file), ("import_pop", _pop_file)])
def test_import_reports_every_error_and_the_count(network: None, tmp_path: Path, command: str,
                                                  file_of: Callable[..., str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(file_of({"birth_weight_g": "heavy"}, {"sex": "x"}), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(command, str(path), stderr=err)
    assert str(raised.value) == "2 errors in 2 rows: nothing was imported"
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Row 2, birth_weight_g, 'heavy'", "Row 3, sex, 'x'"]
    path.write_text(file_of({"sex": "x"}), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command(command, str(path), stderr=io.StringIO())
    assert str(raised.value) == "1 error in 1 row: nothing was imported"


def test_import_and_export_lines(people: Personas, tmp_path: Path) -> None:
    path = tmp_path / "pop.csv"
    path.write_text(csv_text(GOOD))
    out = io.StringIO()
    call_command("import_pop", str(path), stdout=out, no_color=True)
    assert out.getvalue() == ("Imported 1 POP rows: 1 created, 0 updated, 0 unchanged; "
                              "0 flagged for data quality\n")
    with pytest.raises(CommandError, match=r"^Cannot read .*missing.csv: No such file or directory$"):
        call_command("import_pop", str(tmp_path / "missing.csv"))

    out = io.StringIO()
    call_command("export_pop", "-", stdout=out)
    assert out.getvalue().startswith("case_ref,") and out.getvalue().count("\r\n") == 2
    target = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("export_pop", str(target), "--reason", "audit", stdout=out, no_color=True)
    assert out.getvalue() == f"Exported 1 POP records to {target}\n"
    event = AuditEvent.objects.filter(object_type="pop.record_export").latest("pk")
    assert (event.summary, event.changes) == ("Exported 1 POP record (identifiable)",
                                              {"rows": 1, "identifiable": True, "reason": "audit"})
    with pytest.raises(CommandError, match=r"^Cannot write .*: No such file or directory$"):
        call_command("export_pop", str(tmp_path / "no" / "out.csv"))


def _one_hie_case(people: Personas) -> None:
    case_services.case_create(values=cooled_case_values(), by=people.nurse)


def _one_pop_record(people: Personas) -> None:
    services.pop_create(values=pop_values(), by=people.nurse)


@pytest.mark.parametrize(("command", "max_years", "rows", "data", "fill"), [
    ("seed_demo", 20, "cases", "demo data", _one_hie_case),
    ("seed_pop", 10, "POP records", "POP demo data", _one_pop_record),
])
def test_seed_refuses_bad_options_and_a_filled_database(
        people: Personas, command: str, max_years: int, rows: str, data: str,
        fill: Callable[[Personas], None]) -> None:
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError) as raised:
        call_command(command, "--as-of", future.isoformat())
    assert str(raised.value) == f"--as-of {future} is in the future: births cannot be in the future."
    with pytest.raises(CommandError) as raised:
        call_command(command, "--years", str(max_years + 1))
    assert str(raised.value) == f"--years must be between 1 and {max_years}."

    fill(people)
    out = io.StringIO()
    call_command(command, "--if-empty", stdout=out)
    assert out.getvalue() == f"1 {rows} already in the database: {data} not loaded.\n"
    with pytest.raises(CommandError) as raised:
        call_command(command)
    assert str(raised.value) == (f"The database already holds 1 {rows}. {command} only fills an empty database "
                                 "(its case references would clash); use --if-empty to skip quietly.")
