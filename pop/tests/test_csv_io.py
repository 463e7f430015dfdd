"""POP CSV import and export: exactly the dataset.md POP columns, all or nothing, a row-by-row report, and an
export → import round trip that changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from core.models import AuditEvent
from core.testing.personas import Personas
from core.timeutil import minutes_between
from pop import csv_io, services
from pop.dataset import COLUMNS
from pop.models import PopRecord
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db

SPEC_COLUMNS = [
    "case_ref", "nhs_number", "birth_datetime", "sex", "gestation_weeks", "gestation_days", "birth_weight_g",
    "multiple_birth", "birth_unit_ods", "labour", "steroids_doses", "steroids_last_dose_datetime",
    "magnesium_start_datetime", "antibiotics_start_datetime", "cord_clamping_seconds", "first_temp_c",
    "first_temp_datetime", "first_breast_milk_datetime",
]
GOOD = {
    "case_ref": "POP-1", "nhs_number": "", "birth_datetime": "2024-05-14T03:10", "sex": "male",
    "gestation_weeks": "27", "gestation_days": "1", "birth_weight_g": "980", "multiple_birth": "no",
    "birth_unit_ods": "RGT01", "labour": "yes", "steroids_doses": "2",
    "steroids_last_dose_datetime": "2024-05-12T21:00", "magnesium_start_datetime": "14/05/2024 01:00",
    "antibiotics_start_datetime": "2024-05-14T00:00+01:00", "cord_clamping_seconds": "75", "first_temp_c": "36.6",
    "first_temp_datetime": "2024-05-14T03:40", "first_breast_milk_datetime": "2024-05-14T09:00",
}


def csv_text(*rows: dict[str, str], columns: list[str] = SPEC_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def exported() -> str:
    return "".join(csv_io.csv_lines(csv_io.export_rows(csv_io.export_queryset(PopRecord.objects.all()))))


def test_columns_are_exactly_the_spec_pop_columns() -> None:
    assert list(COLUMNS) == SPEC_COLUMNS


def test_import_creates_records_with_typed_uk_times(people: Personas) -> None:
    result = csv_io.import_file(csv_text(GOOD), by=people.nurse)
    assert result.ok and (result.created, result.updated, result.unchanged) == (1, 0, 0)
    record = PopRecord.objects.get()
    assert record.birth_unit.ods_code == "RGT01" and record.gestation_label == "27+1"
    assert record.magnesium_start_datetime.isoformat() == "2024-05-14T00:00:00+00:00"
    assert AuditEvent.objects.filter(object_type="pop.record", action="import").count() == 1


def test_export_then_import_changes_nothing(people: Personas) -> None:
    services.pop_create(values=pop_values(nhs_number="9434765919", labour=""), by=people.nurse)
    services.pop_create(values=pop_values(birth_unit="RGT01", cord_clamping_seconds=None, first_temp_c=None,
                                          first_temp_datetime=None, multiple_birth="yes"), by=people.nurse)
    text = exported()
    before = list(PopRecord.objects.order_by("id").values())
    audits = AuditEvent.objects.count()

    result = csv_io.import_file(text, by=people.nurse)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(PopRecord.objects.order_by("id").values()) == before
    assert AuditEvent.objects.count() == audits
    assert exported() == text
    assert text.splitlines()[0] == ",".join(SPEC_COLUMNS)


def test_exported_times_carry_their_offset_on_a_clock_change_night(people: Personas) -> None:
    birth = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # the second 01:30 in London (GMT)
    services.pop_create(values=pop_values(birth=birth), by=people.nurse)
    row = next(csv.DictReader(io.StringIO(exported())))
    assert row["birth_datetime"] == "2024-10-27T01:30+00:00"
    text = exported()
    PopRecord.objects.all().delete()
    assert csv_io.import_file(text, by=people.nurse).created == 1
    assert PopRecord.objects.get().birth_datetime == birth


def test_any_hard_error_writes_nothing_and_every_bad_row_is_reported(people: Personas) -> None:
    rows = [
        GOOD,
        {**GOOD, "case_ref": "POP-2", "gestation_weeks": "34", "gestation_days": "0"},
        {**GOOD, "case_ref": "POP-3", "first_temp_c": "36.65", "birth_unit_ods": "XXX99"},
        {**GOOD, "case_ref": "POP-4", "magnesium_start_datetime": "2024-05-14T04:00"},
        {**GOOD, "case_ref": "POP-5", "birth_datetime": "2024-10-27T01:30"},
        {**GOOD, "case_ref": "POP-6", "first_breast_milk_datetime": "2024-03-31T01:30"},
        {**GOOD, "case_ref": "POP-1"},
    ]
    result = csv_io.import_file(csv_text(*rows), by=people.nurse)

    assert not result.ok and PopRecord.objects.count() == 0
    found = {(e.row, e.column) for e in result.errors}
    assert {(3, "gestation_weeks"), (4, "first_temp_c"), (4, "birth_unit_ods"), (5, "magnesium_start_datetime"),
            (6, "birth_datetime"), (7, "first_breast_milk_datetime"), (8, "case_ref")} <= found
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "before 34+0 weeks" in messages[(3, "gestation_weeks")]
    assert "decimal place" in messages[(4, "first_temp_c")]
    assert "Unknown ODS site code 'XXX99'" in messages[(4, "birth_unit_ods")]
    assert "at or before" in messages[(5, "magnesium_start_datetime")]
    assert "happened twice" in messages[(6, "birth_datetime")]
    assert "does not exist" in messages[(7, "first_breast_milk_datetime")]
    assert "Duplicate case_ref" in messages[(8, "case_ref")]
    assert result.bad_rows == 6


@pytest.mark.parametrize(("columns", "words"), [
    ([*SPEC_COLUMNS, "outcome"], "Unknown column 'outcome'"),
    ([c for c in SPEC_COLUMNS if c != "first_temp_c"], "Missing column 'first_temp_c'"),
])
def test_header_must_name_exactly_the_pop_columns(people: Personas, columns: list[str], words: str) -> None:
    row = {c: GOOD.get(c, "") for c in columns}
    result = csv_io.import_file(csv_text(row, columns=columns), by=people.nurse)
    assert not result.ok and any(words in e.message for e in result.errors) and result.errors[0].row == 1


def test_same_case_ref_updates_and_an_empty_cell_clears(people: Personas) -> None:
    csv_io.import_file(csv_text(GOOD), by=people.nurse)
    result = csv_io.import_file(csv_text({**GOOD, "cord_clamping_seconds": "", "labour": "no"}), by=people.nurse)
    assert (result.created, result.updated) == (0, 1)
    record = PopRecord.objects.get()
    assert record.cord_clamping_seconds is None and record.labour == "no" and record.version == 2


def test_records_entered_in_error_cannot_be_changed_by_an_import(people: Personas) -> None:
    csv_io.import_file(csv_text(GOOD), by=people.nurse)
    record = PopRecord.objects.get()
    services.pop_mark_entered_in_error(record=record, reason="wrong baby", expected_version=1, by=people.nurse)
    result = csv_io.import_file(csv_text(GOOD), by=people.nurse)
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (2, "case_ref", "POP-1", "POP record POP-1 was marked entered in error; it cannot be changed by an import")]


def test_the_shared_import_speaks_of_the_pop_dataset_and_its_records(people: Personas) -> None:
    """The wording of the import checks POP shares with the HIE file (pathway.csv_io.DatasetFile)."""
    columns = [*(c for c in SPEC_COLUMNS if c != "first_temp_c"), "outcome"]
    header = csv_io.parse(csv_text({c: GOOD.get(c, "") for c in columns}, columns=columns))
    assert [e.message for e in header.errors] == [
        "Unknown column 'outcome': not a column of the POP dataset (v1); Missing column 'first_temp_c': the "
        "header must name every column of the POP dataset (v1). The rows were still checked on the columns that "
        "are there"]

    services.pop_create(values=pop_values(case_ref="POP-DB", nhs_number="9434765919"), by=people.nurse)
    clash = csv_io.parse(csv_text({**GOOD, "nhs_number": "9434765919"}))
    assert [(e.row, e.column, e.message) for e in clash.errors] == [
        (2, "nhs_number", "NHS number already belongs to POP record POP-DB (unique per baby)")]


def test_a_record_saved_meanwhile_that_clashes_is_reported(people: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    def saved_meanwhile(**_: Any) -> PopRecord:  # the database's unique constraint refuses the row
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "pop_create", saved_meanwhile)
    result = csv_io.import_file(csv_text(GOOD), by=people.nurse)
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (2, "", "", "This row clashes with a record saved while the file was being imported; import it again")]
    assert PopRecord.objects.count() == 0


def test_commands_round_trip_and_report_errors(people: Personas, tmp_path: Path) -> None:
    source = tmp_path / "pop.csv"
    source.write_text(csv_text(GOOD, {**GOOD, "case_ref": "POP-2", "first_breast_milk_datetime": ""}))
    out = io.StringIO()
    call_command("import_pop", str(source), "--user", "nina", stdout=out)
    assert "Imported 2 POP rows: 2 created" in out.getvalue()

    target = tmp_path / "out.csv"
    call_command("export_pop", str(target), stdout=io.StringIO())
    assert target.read_text().splitlines()[0] == ",".join(SPEC_COLUMNS)
    assert AuditEvent.objects.filter(object_type="pop.record_export", changes__rows=2).exists()
    out = io.StringIO()
    call_command("import_pop", str(target), stdout=out)
    assert "0 created, 0 updated, 2 unchanged" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text({**GOOD, "case_ref": "POP-9", "first_temp_datetime": "2024-05-14T03:00"}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_pop", str(bad), stderr=err)
    assert "Row 2, first_temp_datetime" in err.getvalue() and "at or after" in err.getvalue()
    assert PopRecord.objects.count() == 2


def test_soft_warnings_are_saved_and_counted(people: Personas) -> None:
    row = {**GOOD, "gestation_weeks": "31", "birth_weight_g": "1500"}
    result = csv_io.import_file(csv_text(row), by=people.nurse)
    assert result.ok and result.flagged == 1
    assert PopRecord.objects.get().dq_flags == ["magnesium_from_30_weeks"]


def test_birth_order_uses_instants(people: Personas) -> None:
    # 01:30 BST then 01:10 GMT on the autumn night: the second is 40 minutes later, not 20 earlier.
    row = {**GOOD, "birth_datetime": "2024-10-27T01:30+01:00", "first_temp_datetime": "2024-10-27T01:10+00:00",
           "steroids_last_dose_datetime": "", "magnesium_start_datetime": "", "antibiotics_start_datetime": "",
           "first_breast_milk_datetime": "", "steroids_doses": "0"}
    result = csv_io.import_file(csv_text(row), by=people.nurse)
    assert result.ok, result.errors
    record = PopRecord.objects.get()
    assert minutes_between(record.birth_datetime, record.first_temp_datetime) == 40


def test_a_time_before_birth_on_the_autumn_night_is_refused(people: Personas) -> None:
    # 01:30 GMT (the second 01:30) then 01:40 BST (the first 01:40): 50 minutes earlier, though it reads later.
    row = {**GOOD, "birth_datetime": "2024-10-27T01:30+00:00", "first_temp_datetime": "2024-10-27T01:40+01:00",
           "steroids_last_dose_datetime": "", "magnesium_start_datetime": "", "antibiotics_start_datetime": "",
           "first_breast_milk_datetime": "", "steroids_doses": "0"}
    result = csv_io.import_file(csv_text(row), by=people.nurse)
    assert [(e.row, e.column) for e in result.errors] == [(2, "first_temp_datetime")]
