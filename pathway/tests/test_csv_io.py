"""HIE dataset CSV import and export (../shared/spec/dataset.md, v1), on the real test database.

Import: header, every cell and every row checked first, all errors reported at once, nothing written on
any error; otherwise one transaction of service calls (create or update by case_ref). Export: spec column
order, offsets on every time, and an exported file imports back with no change at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from core.models import AuditEvent
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON, parse_local_datetime
from pathway import csv_io, services
from pathway.dataset import COLUMNS
from pathway.models import Case
from units.models import Unit

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)  # BST
# Minutes after birth of the valid cooled baby's times (as core.testing.factories.cooled_case_values).
TIMES = {
    "passive_cooling_start": 30, "core_monitoring_start": 45, "referral_datetime": 80,
    "depart_referring_datetime": 170, "active_cooling_start": 200, "target_temp_reached": 230,
    "arrive_centre_datetime": 240, "parent_consultation_datetime": 300, "rewarming_start": 230 + 72 * 60,
    "rewarming_end": 230 + 80 * 60, "mri_datetime": 7 * 24 * 60, "discharge_datetime": 12 * 24 * 60,
}
NHS_NUMBERS = ("9434765919", "9434765005", "9434765013", "9434765021")


def iso(moment: datetime) -> str:
    """Written here, not with the code under test: ISO local time with the offset."""
    return moment.astimezone(LONDON).isoformat(timespec="minutes")


def row(*, birth: datetime = BIRTH, **cells: Any) -> dict[str, str]:
    """A valid row (a cooled outborn baby, Watford → Addenbrooke's) as CSV text; override any cell."""
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        case_ref="HIE-0001", birth_datetime=iso(birth), sex="male", gestation_weeks="39", gestation_days="2",
        birth_weight_g="3300", multiple_birth="no", birth_unit_ods="RWG02", cooling_centre_ods="RGT01",
        labour="yes", apgar_10="4", resus_at_10min="yes", lowest_ph_60min="6.95", base_deficit_60min="16.0",
        hie_grade="2", aeeg="moderately_abnormal", therapeutic_hypothermia="yes", lowest_temp_before_arrival_c="33.4",
        transport_cooling="servo", arrival_temp_c="33.6", placenta_sent="yes", mri_performed="yes",
        mnsi_referred="yes", outcome="alive", family_booklet_given="yes",
    )
    values.update({column: iso(birth + timedelta(minutes=m)) for column, m in TIMES.items()})
    values.update(cells)
    return values


def csv_text(*rows: Mapping[str, str], columns: Iterable[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(columns)
    writer.writerow(columns)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in columns])
    return out.getvalue()


def where(result: csv_io.ImportResult | csv_io.ParseResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.value) for e in result.errors]


def audit_count() -> int:
    return AuditEvent.objects.count()


def export_text(cases: Any = None, pseudonymise: Any = None) -> str:
    cases = csv_io.export_queryset(cases if cases is not None else Case.objects.all())
    return "".join(csv_io.csv_lines(csv_io.export_rows(cases, pseudonymise)))


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- A valid file ---------------------------------------------------------------------------------


def test_valid_file_creates_the_case_through_the_services(people: Personas) -> None:
    result = csv_io.import_file(csv_text(row(nhs_number="9434765919")).encode(), by=people.nurse)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged, result.flagged) == (1, 0, 0, 0)
    case = Case.objects.get()
    assert case.case_ref == "HIE-0001"
    assert case.nhs_number == "9434765919"
    assert case.birth_datetime == datetime(2024, 5, 14, 2, 10, tzinfo=UTC)
    assert case.birth_unit is not None and case.birth_unit.ods_code == "RWG02"
    assert case.cooling_centre is not None and case.cooling_centre.ods_code == "RGT01"
    assert case.lowest_ph_60min == Decimal("6.95")
    assert case.base_deficit_60min == Decimal("16.0")
    assert case.hie_grade == 2
    assert case.postnatal_collapse_datetime is None
    assert case.early_stop_reason == ""
    assert case.created_by == people.nurse
    [event] = AuditEvent.objects.filter(object_type="pathway.case")
    assert (event.action, event.actor, event.object_id) == ("import", people.nurse, str(case.pk))
    assert event.changes["birth_datetime"] == ["", "14/05/2024 03:10"]


def test_local_times_without_offset_are_uk_time_and_columns_may_come_in_any_order(network: None) -> None:
    cells = row(birth_datetime="2024-01-10T09:00", referral_datetime="2024-01-10 10:00",
                passive_cooling_start="10/01/2024 09:30", mri_performed="no")
    for column in ("active_cooling_start", "core_monitoring_start", "target_temp_reached",
                   "depart_referring_datetime", "arrive_centre_datetime", "rewarming_start", "rewarming_end",
                   "parent_consultation_datetime", "mri_datetime", "discharge_datetime"):
        cells[column] = ""
    result = csv_io.import_file(csv_text(cells, columns=reversed(COLUMNS)))

    assert result.errors == []
    case = Case.objects.get()
    assert case.birth_datetime == datetime(2024, 1, 10, 9, 0, tzinfo=UTC)  # GMT in January
    assert case.referral_datetime == datetime(2024, 1, 10, 10, 0, tzinfo=UTC)
    assert case.passive_cooling_start == datetime(2024, 1, 10, 9, 30, tzinfo=UTC)
    assert case.created_by is None  # no user given: the system


def test_utf8_bom_and_padded_cells_are_accepted(network: None) -> None:
    data = "\ufeff".encode() + csv_text(row(sex=" male ", hie_grade=" 2")).encode()
    result = csv_io.import_file(data)
    assert result.errors == []
    assert Case.objects.get().sex == "male"


def test_soft_warnings_save_the_row_and_count_as_flagged(network: None) -> None:
    result = csv_io.import_file(csv_text(row(gestation_weeks="35"), row(case_ref="HIE-0002")))
    assert result.errors == []
    assert (result.created, result.flagged) == (2, 1)
    assert Case.objects.get(case_ref="HIE-0001").dq_flags == ["preterm_cooled"]
    assert Case.objects.get(case_ref="HIE-0002").dq_flags == []


def test_empty_multiple_birth_takes_the_dataset_default(network: None) -> None:
    assert csv_io.import_file(csv_text(row(multiple_birth=""))).errors == []
    assert Case.objects.get().multiple_birth == "no"


def test_blank_lines_are_skipped_and_rows_keep_their_file_numbers(network: None) -> None:
    # Row 3 is an empty line, row 4 a row of empty cells (as spreadsheets leave them), row 5 the bad one.
    text = csv_text(row()) + "\r\n,,,\r\n" + csv_text(row(case_ref="HIE-0002", sex="boy")).split("\r\n", 1)[1]
    result = csv_io.parse(text)
    assert where(result) == [(5, "sex", "boy")]
    assert [parsed.row for parsed in result.rows] == [2]


# --- The file as a whole --------------------------------------------------------------------------


def test_non_utf8_file_is_rejected_with_a_clear_message(network: None) -> None:
    data = csv_text(row(), row(case_ref="HIE-Zoë")).encode("cp1252")
    result = csv_io.import_file(data)
    [error] = result.errors
    assert error.row == 3
    assert "not UTF-8" in error.message
    assert "CSV UTF-8" in error.message
    assert Case.objects.count() == 0


def test_empty_file_is_rejected(network: None) -> None:
    [error] = csv_io.import_file(b"").errors
    assert "empty" in error.message


def test_header_problems_are_reported_once_then_the_rows_are_still_checked(network: None) -> None:
    columns = [c for c in COLUMNS if c not in ("apgar_10", "aeeg")] + ["apgar_5", "comments", "sex"]
    result = csv_io.import_file(csv_text(row(gestation_weeks="50"), columns=columns))

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (1, "apgar_5", "Unknown columns 'apgar_5', 'comments': not columns of the HIE dataset (v2); "
                       "Missing columns 'apgar_10', 'aeeg': the header must name every column of the HIE "
                       "dataset (v2); Column 'sex' appears more than once. The rows were still checked on the "
                       "columns that are there"),
        (2, "gestation_weeks", "Ensure this value is less than or equal to 44."),
    ]
    assert Case.objects.count() == 0


def test_a_missing_required_column_is_not_reported_again_on_every_row(network: None) -> None:
    columns = [c for c in COLUMNS if c != "sex"]
    result = csv_io.parse(csv_text(row(), columns=columns))
    assert [(e.row, e.column) for e in result.errors] == [(1, "sex")]
    assert result.errors[0].message.startswith("Missing column 'sex': the header must name every column")


def test_repeated_column_is_rejected(network: None) -> None:
    result = csv_io.parse(csv_text(row(), columns=[*COLUMNS, "sex"]))
    assert [(e.column, e.message) for e in result.errors] == [
        ("sex", "Column 'sex' appears more than once. The rows were still checked on the columns that are there")]


@pytest.mark.parametrize(("column", "text", "stored"), [
    ("sex", "Male", "male"), ("sex", "FEMALE", "female"), ("therapeutic_hypothermia", "Yes", "yes"),
    ("aeeg", "Moderately_Abnormal", "moderately_abnormal"), ("transport_cooling", "SERVO", "servo"),
])
def test_coded_values_are_accepted_in_any_case(network: None, column: str, text: str, stored: str) -> None:
    cells: dict[str, Any] = {column: text}
    result = csv_io.parse(csv_text(row(**cells)))
    assert result.errors == []
    assert result.rows[0].values[column] == stored


def test_row_with_the_wrong_number_of_cells(network: None) -> None:
    text = csv_text(row()) + "HIE-0002,,2024-05-14T03:10\r\n"
    result = csv_io.parse(text)
    assert [(e.row, e.message) for e in result.errors] == [(3, f"This row has 3 cells; the header has {len(COLUMNS)}")]


def test_broken_quoting_is_rejected(network: None) -> None:
    text = csv_text(row()) + '"HIE-0002"x,' + "," * 42 + "\r\n"
    [error] = csv_io.parse(text).errors
    assert error.row == 3
    assert "not valid CSV" in error.message


# --- Cells: type and range from the model fields --------------------------------------------------


@pytest.mark.parametrize(("column", "value", "message"), [
    ("gestation_weeks", "45", "Ensure this value is less than or equal to 44."),
    ("gestation_weeks", "21", "Ensure this value is greater than or equal to 22."),
    ("gestation_weeks", "39.5", "“39.5” value must be an integer."),
    ("gestation_weeks", "٣٩", "Use the digits 0–9 only"),
    ("gestation_days", "7", "Ensure this value is less than or equal to 6."),
    ("birth_weight_g", "399", "Ensure this value is greater than or equal to 400."),
    ("birth_weight_g", "3,300", "“3,300” value must be an integer."),
    ("apgar_10", "11", "Ensure this value is less than or equal to 10."),
    ("lowest_ph_60min", "7.61", "Ensure this value is less than or equal to 7.60."),
    ("lowest_ph_60min", "6.955", "Ensure that there are no more than 2 decimal places."),
    ("lowest_ph_60min", "NaN", "“NaN” value must be a decimal number."),
    ("base_deficit_60min", "100.0", "Ensure that there are no more than 3 digits in total."),
    ("base_deficit_60min", "-1", "Ensure this value is greater than or equal to 0."),
    ("arrival_temp_c", "27.9", "Ensure this value is greater than or equal to 28.0."),
    ("lowest_temp_before_arrival_c", "42.1", "Ensure this value is less than or equal to 42.0."),
    ("hie_grade", "4", "Not one of the allowed values: 0, 1, 2, 3"),
    ("sex", "boy", "Not one of the allowed values: male, female, indeterminate, unknown"),
    ("aeeg", "abnormal", "Not one of the allowed values: normal, moderately_abnormal, severely_abnormal, "
                         "seizures, not_done"),
    ("therapeutic_hypothermia", "Y", "Not one of the allowed values: yes, no"),
    ("followup_2y_date", "2026/05/14", "“2026/05/14” value has an invalid date format. It must be in "
                                       "YYYY-MM-DD format."),
    ("case_ref", "X" * 41, "Ensure this value has at most 40 characters (it has 41)."),
    ("nhs_number", "9434765918", "NHS number must be 10 digits passing the Modulus 11 check"),
    ("nhs_number", "943 476 5919", "NHS number must be 10 digits passing the Modulus 11 check"),
    ("birth_datetime", "2024-02-30T10:00", "'2024-02-30T10:00' is not a date and time: use YYYY-MM-DDTHH:MM "
                                           "or DD/MM/YYYY HH:MM"),
    ("referral_datetime", "2024-05-14", "A date and time is needed, e.g. 2024-03-31T00:45 (this has no time)"),
])
def test_each_bad_cell_is_reported_with_row_column_value_and_rule(network: None, column: str, value: str,
                                                                   message: str) -> None:
    bad = row(case_ref="HIE-0002")
    bad[column] = value
    result = csv_io.import_file(csv_text(row(case_ref="HIE-OK"), bad))

    assert [(e.row, e.column, e.value, e.message) for e in result.errors if e.message == message] == [
        (3, column, value, message)]
    assert {e.row for e in result.errors} == {3}
    assert Case.objects.count() == 0


def test_the_spec_upper_bound_of_ph_is_accepted(network: None) -> None:
    assert csv_io.parse(csv_text(row(lowest_ph_60min="7.60"))).errors == []


def test_ambiguous_autumn_time_without_offset_is_an_error_with_offset_accepted(network: None) -> None:
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # 01:30 GMT, an hour later
    result = csv_io.import_file(csv_text(
        row(case_ref="HIE-BST", birth=first, birth_datetime="2024-10-27T01:30+01:00"),
        row(case_ref="HIE-GMT", birth=second, birth_datetime="2024-10-27T01:30+00:00"),
        row(case_ref="HIE-AMB", birth=second, birth_datetime="2024-10-27T01:30"),
    ))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (4, "birth_datetime", "2024-10-27T01:30")
    assert "happened twice in UK time" in error.message
    assert "+01:00" in error.message

    accepted = csv_io.import_file(csv_text(
        row(case_ref="HIE-BST", birth=first, birth_datetime="2024-10-27T01:30+01:00"),
        row(case_ref="HIE-GMT", birth=second, birth_datetime="2024-10-27T01:30+00:00"),
    ))
    assert accepted.errors == []
    assert Case.objects.get(case_ref="HIE-BST").birth_datetime == first
    assert Case.objects.get(case_ref="HIE-GMT").birth_datetime == second


def test_non_existent_spring_time_is_an_error(network: None) -> None:
    birth = datetime(2024, 3, 31, 0, 45, tzinfo=UTC)
    result = csv_io.parse(csv_text(
        row(case_ref="HIE-0001", birth=birth, birth_datetime="2024-03-31T00:45"),  # GMT, before the change
        row(case_ref="HIE-0002", birth=birth, passive_cooling_start="2024-03-31T01:30"),
    ))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "passive_cooling_start", "2024-03-31T01:30")
    assert "does not exist in UK time" in error.message
    assert result.rows[0].values["birth_datetime"] == birth


def test_unknown_ods_code_is_an_error_and_a_former_code_is_accepted(network: None) -> None:
    result = csv_io.import_file(csv_text(row(birth_unit_ods="ZZZ99")))
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (2, "birth_unit_ods", "ZZZ99", "Unknown ODS site code 'ZZZ99': not a unit of the network")]

    # Bedford's site was renumbered RC112 → RC979 (units.reference); old spreadsheets still say RC112.
    result = csv_io.import_file(csv_text(row(birth_unit_ods="RC112")))
    assert result.errors == []
    assert Case.objects.get().birth_unit == Unit.objects.get(ods_code="RC979")


def test_cooling_centre_must_be_flagged_as_one(network: None) -> None:
    result = csv_io.parse(csv_text(row(cooling_centre_ods="RWG02")))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "cooling_centre_ods", "RWG02")
    assert "is not a cooling centre" in error.message


# --- Rows: ordering and conditional rules (pathway.rules) -------------------------------------------


def test_ordering_errors_name_the_later_column_and_its_value(network: None) -> None:
    result = csv_io.parse(csv_text(row(
        rewarming_end="2024-05-17T06:00+01:00",  # before rewarming start (17/05 07:00)
        mri_datetime=iso(BIRTH),  # must be strictly after birth
        depart_referring_datetime=iso(BIRTH + timedelta(minutes=60)),  # before referral (80 min)
        target_temp_reached=iso(BIRTH + timedelta(minutes=20)),  # before the earliest cooling start (30 min)
    )))
    assert sorted(where(result)) == sorted([
        (2, "depart_referring_datetime", "2024-05-14T04:10+01:00"),
        (2, "rewarming_end", "2024-05-17T06:00+01:00"),
        (2, "mri_datetime", "2024-05-14T03:10+01:00"),
        (2, "target_temp_reached", "2024-05-14T03:30+01:00"),
    ])
    messages = {e.column: e.message for e in result.errors}
    assert messages["rewarming_end"] == ("The time rewarming ended (17/05/2024 06:00) must be at or after the "
                                         "time rewarming started (17/05/2024 07:00)")
    assert "must be after the date and time of birth" in messages["mri_datetime"]


def test_required_and_conditional_columns(network: None) -> None:
    result = csv_io.parse(csv_text(row(sex="", outcome="died", mri_performed="yes", mri_datetime="")))
    assert sorted(where(result)) == [(2, "death_datetime", ""), (2, "mri_datetime", ""), (2, "sex", "")]
    messages = {e.column: e.message for e in result.errors}
    assert messages["sex"] == "Enter the sex (required)"
    assert "required when outcome at discharge is 'Died'" in messages["death_datetime"]


def test_birth_in_the_future_is_an_error(network: None) -> None:
    future = datetime.now(tz=UTC) + timedelta(days=2)
    result = csv_io.parse(csv_text(row(birth=future)))
    assert [(e.column, e.message) for e in result.errors] == [
        ("birth_datetime", "The date and time of birth cannot be in the future")]


# --- File-level rules: duplicates and clashes with the database ----------------------------------


def test_duplicate_case_ref_in_the_file(network: None) -> None:
    result = csv_io.import_file(csv_text(row(), row(case_ref="HIE-0002"), row()))
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (4, "case_ref", "HIE-0001", "Duplicate case_ref in the file (also on row 2)")]
    assert Case.objects.count() == 0


def test_nhs_number_twice_in_the_file_or_held_by_another_case(people: Personas) -> None:
    services.case_create(values=cooled_case_values(case_ref="HIE-DB", nhs_number=NHS_NUMBERS[1]), by=people.nurse)
    result = csv_io.parse(csv_text(
        row(case_ref="HIE-0001", nhs_number=NHS_NUMBERS[0]),
        row(case_ref="HIE-0002", nhs_number=NHS_NUMBERS[0]),
        row(case_ref="HIE-0003", nhs_number=NHS_NUMBERS[1]),
        row(case_ref="HIE-DB", nhs_number=NHS_NUMBERS[1]),  # the same baby: an update, fine
    ))
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (3, "nhs_number", NHS_NUMBERS[0], "NHS number appears twice in the file (unique per baby) (also on row 2)"),
        (4, "nhs_number", NHS_NUMBERS[1], "NHS number already belongs to case HIE-DB (unique per baby)"),
        (5, "nhs_number", NHS_NUMBERS[1], "NHS number appears twice in the file (unique per baby) (also on row 4)"),
    ]


def test_case_entered_in_error_cannot_be_changed_by_import(people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(case_ref="HIE-0001"), by=people.nurse)
    services.case_mark_entered_in_error(case=case, reason="duplicate", expected_version=None, by=people.nurse)
    result = csv_io.import_file(csv_text(row()))
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (2, "case_ref", "HIE-0001", "Case HIE-0001 was marked entered in error; it cannot be changed by an import")]
    assert Case.objects.get().version == 2


def test_every_error_of_every_row_is_reported_at_once(network: None) -> None:
    result = csv_io.import_file(csv_text(
        row(case_ref="HIE-0001", sex="M", gestation_weeks="50"),
        row(case_ref="HIE-0002"),
        row(case_ref="HIE-0003", birth_unit_ods="XX1", lowest_ph_60min="8.1", nhs_number="1234567890"),
        row(case_ref="HIE-0004", rewarming_end="2024-05-14T03:00"),
    ))
    assert where(result) == [
        (2, "sex", "M"), (2, "gestation_weeks", "50"),
        (4, "nhs_number", "1234567890"), (4, "birth_unit_ods", "XX1"), (4, "lowest_ph_60min", "8.1"),
        (5, "rewarming_end", "2024-05-14T03:00"),
    ]
    assert result.bad_rows == 3
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert Case.objects.count() == 0


def test_one_bad_row_writes_nothing(people: Personas) -> None:
    services.case_create(values=cooled_case_values(case_ref="HIE-0001", apgar_10=4), by=people.nurse)
    cases, events = Case.objects.count(), audit_count()

    result = csv_io.import_file(csv_text(
        row(case_ref="HIE-0001", apgar_10="6"),  # a valid update
        row(case_ref="HIE-0002"),  # a valid new case
        row(case_ref="HIE-0003", gestation_days="9"),
    ), by=people.nurse)

    assert where(result) == [(4, "gestation_days", "9")]
    assert (Case.objects.count(), audit_count()) == (cases, events)
    existing = Case.objects.get(case_ref="HIE-0001")
    assert (existing.apgar_10, existing.version) == (4, 1)


# --- Updates by case_ref ------------------------------------------------------------------------


def test_same_case_ref_updates_every_column_and_empty_clears(people: Personas) -> None:
    csv_io.import_file(csv_text(row()), by=people.nurse)
    result = csv_io.import_file(csv_text(row(apgar_10="6", aeeg="", lowest_ph_60min="7.1")), by=people.admin_user)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    case = Case.objects.get()
    assert (case.apgar_10, case.aeeg, case.lowest_ph_60min, case.version) == (6, "", Decimal("7.10"), 2)
    assert case.updated_by == people.admin_user
    event = AuditEvent.objects.filter(object_type="pathway.case").first()
    assert event is not None
    assert (event.action, event.actor) == ("import", people.admin_user)
    assert event.changes == {"apgar_10": ["4", "6"], "aeeg": ["moderately_abnormal", ""],
                             "lowest_ph_60min": ["6.95", "7.1"]}


def test_importing_the_same_file_again_changes_nothing(people: Personas) -> None:
    text = csv_text(row(), row(case_ref="HIE-0002", lowest_ph_60min="7.1"))
    csv_io.import_file(text, by=people.nurse)
    events = audit_count()

    result = csv_io.import_file(text, by=people.nurse)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert audit_count() == events
    assert set(Case.objects.values_list("version", flat=True)) == {1}


def test_service_error_mid_way_rolls_back_everything(people: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    real_create = services.case_create

    def create(*, values: Mapping[str, Any], **kwargs: Any) -> Case:
        if values["case_ref"] == "HIE-0003":
            raise ValidationError({"nhs_number": ["Another case already has this NHS number (unique per baby)"]})
        return real_create(values=values, **kwargs)

    monkeypatch.setattr(services, "case_create", create)
    result = csv_io.import_file(csv_text(row(case_ref="HIE-0001"), row(case_ref="HIE-0002"),
                                         row(case_ref="HIE-0003", nhs_number=NHS_NUMBERS[2])), by=people.nurse)

    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (4, "nhs_number", NHS_NUMBERS[2], "Another case already has this NHS number (unique per baby)")]
    assert (result.created, Case.objects.count(), audit_count()) == (0, 0, 0)



def test_a_case_saved_meanwhile_that_clashes_rolls_the_file_back(people: Personas,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Checked, then someone saves HIE-0002 before the import reaches it: the database refuses the row.
    real_create = services.case_create

    def create(*, values: Mapping[str, Any], **kwargs: Any) -> Case:
        if values["case_ref"] == "HIE-0002":
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_create(values=values, **kwargs)

    monkeypatch.setattr(services, "case_create", create)
    result = csv_io.import_file(csv_text(row(case_ref="HIE-0001"), row(case_ref="HIE-0002")), by=people.nurse)

    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (3, "", "", "This row clashes with a case saved while the file was being imported; import the file again")]
    assert Case.objects.count() == 0

# --- Export and the round trip --------------------------------------------------------------------


@pytest.fixture
def clock_change_cases(people: Personas) -> list[Case]:
    """Births at both 01:30s of 27/10/2024, at 00:45 on 31/03/2024, decimals at their edges, seconds."""
    def make(ref: str, birth: datetime, **overrides: Any) -> Case:
        return services.case_create(values=cooled_case_values(case_ref=ref, birth=birth, **overrides),
                                    by=people.nurse)

    return [
        make("HIE-BST", datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=0), nhs_number=NHS_NUMBERS[0],
             lowest_ph_60min=Decimal("7.00"), base_deficit_60min=Decimal("0.0")),
        make("HIE-GMT", datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1), nhs_number=NHS_NUMBERS[1],
             lowest_ph_60min=Decimal("6.50"), base_deficit_60min=Decimal("35.0"), arrival_temp_c=Decimal("28.0")),
        make("HIE-SPRING", datetime(2024, 3, 31, 0, 45, tzinfo=LONDON), lowest_ph_60min=Decimal("7.59"),
             hie_grade=1, early_stop_reason="clinical_decision", outcome="", discharge_datetime=None,
             mri_performed="no", mri_datetime=None, followup_2y="completed", followup_2y_date=date(2026, 4, 2)),
        make("HIE-SECS", datetime(2024, 6, 1, 12, 0, 37, tzinfo=LONDON), birth_unit="RC979",
             centre="RC971", therapeutic_hypothermia="no", multiple_birth="yes", lowest_ph_60min=None,
             base_deficit_60min=None, apgar_10=None, hie_grade=None, aeeg="", labour=""),
    ]


def test_export_writes_spec_columns_offsets_codes_and_decimals(clock_change_cases: list[Case]) -> None:
    text = export_text()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = {r["case_ref"]: r for r in read_csv(text)}
    assert list(rows) == ["HIE-SPRING", "HIE-SECS", "HIE-BST", "HIE-GMT"]  # by birth
    assert rows["HIE-BST"]["birth_datetime"] == "2024-10-27T01:30+01:00"
    assert rows["HIE-GMT"]["birth_datetime"] == "2024-10-27T01:30+00:00"
    assert rows["HIE-SPRING"]["birth_datetime"] == "2024-03-31T00:45+00:00"
    assert rows["HIE-SECS"]["birth_datetime"] == "2024-06-01T12:00:37+01:00"
    assert rows["HIE-BST"]["nhs_number"] == NHS_NUMBERS[0]
    assert (rows["HIE-BST"]["lowest_ph_60min"], rows["HIE-BST"]["base_deficit_60min"]) == ("7.00", "0.0")
    assert rows["HIE-GMT"]["arrival_temp_c"] == "28.0"
    assert rows["HIE-SECS"]["birth_unit_ods"] == "RC979"
    assert rows["HIE-SECS"]["lowest_ph_60min"] == ""
    assert rows["HIE-SPRING"]["followup_2y_date"] == "2026-04-02"
    assert rows["HIE-SPRING"]["hie_grade"] == "1"


def test_round_trip_export_then_import_changes_nothing(clock_change_cases: list[Case], people: Personas) -> None:
    before = {c.case_ref: (c.version, services.case_values(c)) for c in Case.objects.all()}
    events = audit_count()

    result = csv_io.import_file(export_text().encode(), by=people.admin_user)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert result.flagged == 1  # HIE-SPRING: hie_grade 1 with cooling
    assert audit_count() == events
    after = {c.case_ref: (c.version, services.case_values(c)) for c in Case.objects.all()}
    assert after == before


def test_former_code_import_exports_the_current_code_and_round_trips(network: None) -> None:
    csv_io.import_file(csv_text(row(birth_unit_ods="RC112")))
    text = export_text()
    assert read_csv(text)[0]["birth_unit_ods"] == "RC979"
    assert csv_io.import_file(text).unchanged == 1


def test_export_leaves_out_cases_entered_in_error(clock_change_cases: list[Case], people: Personas) -> None:
    services.case_mark_entered_in_error(case=clock_change_cases[0], reason="duplicate", expected_version=None,
                                        by=people.nurse)
    assert [r["case_ref"] for r in read_csv(export_text())] == ["HIE-SPRING", "HIE-SECS", "HIE-GMT"]


def test_pseudonymised_rows_have_no_nhs_number_and_a_stable_pseudonym(clock_change_cases: list[Case]) -> None:
    pseudonymise = csv_io.Pseudonymiser()
    rows = read_csv(export_text(pseudonymise=pseudonymise))
    assert all(r["nhs_number"] == "" for r in rows)
    assert all(r["case_ref"].startswith("P-") and len(r["case_ref"]) == 18 for r in rows)
    assert len({r["case_ref"] for r in rows}) == 4
    assert rows[2]["case_ref"] == pseudonymise("HIE-BST")
    # A new export has a new key: pseudonyms cannot be linked across files.
    assert csv_io.Pseudonymiser()("HIE-BST") != pseudonymise("HIE-BST")


def test_pseudonymised_rows_reduce_birth_to_its_month_and_keep_every_interval(
        clock_change_cases: list[Case]) -> None:
    identifiable = {r["birth_datetime"]: r for r in read_csv(export_text())}
    rows = read_csv(export_text(pseudonymise=csv_io.Pseudonymiser()))
    # Birth at the start of its month (UK time); the rows keep the export's order (by birth).
    assert [r["birth_datetime"] for r in rows] == [
        "2024-03-01T00:00+00:00", "2024-06-01T00:00+01:00", "2024-10-01T00:00+01:00", "2024-10-01T00:00+01:00"]
    times = [c for c in COLUMNS if c.endswith("_datetime") or c in {
        "core_monitoring_start", "passive_cooling_start", "active_cooling_start", "target_temp_reached",
        "rewarming_start", "rewarming_end"}]
    for original, pseudo in zip(identifiable.values(), rows, strict=True):
        born, shifted_birth = (parse_local_datetime(r["birth_datetime"]) for r in (original, pseudo))
        for column in times:
            if original[column]:
                before = parse_local_datetime(original[column]) - born
                assert parse_local_datetime(pseudo[column]) - shifted_birth == before, column
        assert original["birth_datetime"] not in "".join(pseudo.values())
    spring = rows[0]  # born 31/03/2024 00:45: 30 days and 45 minutes moved back
    assert spring["followup_2y_date"] == "2026-03-03"


def test_a_pseudonymised_export_cannot_be_imported(clock_change_cases: list[Case]) -> None:
    text = export_text(pseudonymise=csv_io.Pseudonymiser())
    result = csv_io.import_file(text)
    assert [(e.row, e.column) for e in result.errors] == [(row, "case_ref") for row in (2, 3, 4, 5)]
    assert "pseudonym from a pseudonymised export" in result.errors[0].message
    assert Case.objects.count() == 4


# --- Commands -------------------------------------------------------------------------------------


@pytest.fixture
def run_manage(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a command as `manage.py` does (argv in, exit code out), in the test's transaction."""
    # run_from_argv closes every connection when it finishes, which would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    return _run_manage


def _run_manage(*argv: str) -> int:
    try:
        ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_import_command_prints_counts(run_manage: Any, people: Personas, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(csv_text(row(), row(case_ref="HIE-0002", gestation_weeks="35")), encoding="utf-8")

    assert run_manage("import_cases", str(path), "--user", "nina") == 0

    out = capsys.readouterr().out
    assert "Imported 2 rows: 2 created, 0 updated, 0 unchanged; 1 flagged for data quality" in out
    assert Case.objects.get(case_ref="HIE-0001").created_by == people.nurse


def test_import_command_reports_every_error_and_exits_non_zero(run_manage: Any, network: None, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(csv_text(row(sex="M"), row(case_ref="HIE-0002", birth_datetime="2024-10-27T01:30")),
                    encoding="utf-8")

    assert run_manage("import_cases", str(path)) == 1

    err = capsys.readouterr().err
    assert "Row 2, sex, 'M': Not one of the allowed values: male, female, indeterminate, unknown" in err
    assert "Row 3, birth_datetime, '2024-10-27T01:30': 27/10/2024 01:30 happened twice in UK time" in err
    assert "2 errors in 2 rows: nothing was imported" in err
    assert Case.objects.count() == 0


def test_import_command_unknown_user(network: None, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(csv_text(row()), encoding="utf-8")
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("import_cases", str(path), "--user", "nobody")
    assert Case.objects.count() == 0


def test_export_command_writes_the_file_and_audits_it(run_manage: Any, clock_change_cases: list[Case],
                                                      people: Personas, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("export_cases", str(path), "--user", "ada", stdout=out)

    assert f"Exported 4 cases to {path}" in out.getvalue()
    rows = read_csv(path.read_text(encoding="utf-8"))
    assert [r["case_ref"] for r in rows] == ["HIE-SPRING", "HIE-SECS", "HIE-BST", "HIE-GMT"]
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.object_type) == (people.admin_user, "pathway.case_export")
    assert event.changes == {"rows": 4, "identifiable": True, "reason": "export_cases command"}

    # ...and the file it wrote imports back with no change.
    events = audit_count()
    assert run_manage("import_cases", str(path)) == 0
    assert audit_count() == events
    assert set(Case.objects.values_list("version", flat=True)) == {1}


def test_export_command_pseudonymised(clock_change_cases: list[Case], tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    call_command("export_cases", str(path), "--pseudonymised", "--reason", "audit report", stdout=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert "HIE-" not in text
    assert NHS_NUMBERS[0] not in text
    assert AuditEvent.objects.get(action="export").changes == {"rows": 4, "identifiable": False,
                                                                "reason": "audit report"}
