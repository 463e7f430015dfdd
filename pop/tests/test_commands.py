"""The exact words of the POP import, export and seed commands (their output is read by people and scripts)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.models import AuditEvent
from core.testing.personas import Personas
from pop.tests.test_csv_io import GOOD, csv_text


def test_import_reports_every_error_and_the_count(network: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv_text({**GOOD, "birth_weight_g": "heavy"}, {**GOOD, "case_ref": "POP-2", "sex": "x"}))
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_pop", str(path), stderr=err)
    assert str(raised.value) == "2 errors in 2 rows: nothing was imported"
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Row 2, birth_weight_g, 'heavy'", "Row 3, sex, 'x'"]
    path.write_text(csv_text({**GOOD, "sex": "x"}))
    with pytest.raises(CommandError) as raised:
        call_command("import_pop", str(path), stderr=io.StringIO())
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


def test_seed_refuses_bad_options_and_a_filled_database(people: Personas, tmp_path: Path) -> None:
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError) as raised:
        call_command("seed_pop", "--as-of", future.isoformat())
    assert str(raised.value) == f"--as-of {future} is in the future: births cannot be in the future."
    with pytest.raises(CommandError) as raised:
        call_command("seed_pop", "--years", "11")
    assert str(raised.value) == "--years must be between 1 and 10."

    path = tmp_path / "pop.csv"
    path.write_text(csv_text(GOOD))
    call_command("import_pop", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_pop", "--if-empty", stdout=out)
    assert out.getvalue() == "1 POP records already in the database: POP demo data not loaded.\n"
    with pytest.raises(CommandError) as raised:
        call_command("seed_pop")
    assert str(raised.value) == ("The database already holds 1 POP records. seed_pop only fills an empty database "
                                 "(its case references would clash); use --if-empty to skip quietly.")
