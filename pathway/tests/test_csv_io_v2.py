"""The v2 columns of the HIE file (dataset.md "v2 additions"): a v2 file with every column round-trips
identically, a v1 file imports unchanged and leaves the v2 fields as they are, codes in any case.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.models import AuditEvent
from core.testing.personas import Personas
from pathway import csv_io
from pathway.dataset import COLUMNS, V1_COLUMNS, V2_COLUMNS
from pathway.models import Case
from pathway.tests.test_csv_io import BIRTH, csv_text, export_text, iso, read_csv, row

pytestmark = pytest.mark.usefixtures("network")


def full_v2_row(**cells: str) -> dict[str, str]:
    """A cooled outborn baby with every v1 and v2 column filled, as the export writes each value."""
    at = lambda minutes: iso(BIRTH + timedelta(minutes=minutes))  # noqa: E731
    values = row(
        nhs_number="9434765919", postnatal_collapse_datetime=at(5), death_datetime="",
        discharge_datetime=at(12 * 24 * 60), followup_2y="completed", followup_2y_date="2026-05-20",
        early_stop_reason="clinical_decision",
        mode_of_delivery="emergency_caesarean", sentinel_event="placental_abruption",
        encephalopathy_exam_datetime=at(60), seizures="both", anticonvulsant_count="2", ventilation="invasive",
        referral_decision="cool", not_cooled_reason="", transport_team_mobilised_datetime=at(95),
        transport_team_arrived_datetime=at(140), transport_service_ods="RGT-PANDR",
        mri_sequences="t1;t2;dwi;mrs;swi", mri_score_system="nichd_nrn", mri_score_value="2A",
        mri_injury_pattern="basal_ganglia_thalamus", mri_mrs_lactate_naa="0.45", mri_reported_by="Dr R Radiologist",
        mri2_datetime=at(10 * 24 * 60), mri2_injury_pattern="basal_ganglia_thalamus",
        discharge_destination="home", placenta_histology="chorioamnionitis", mnsi_reference="MI-034567",
        ens_notified_date="2024-05-20",
        followup_corrected_age_months="25", bayley_version="iii", bayley_cognitive="80", bayley_language="85",
        bayley_motor="75", cerebral_palsy="unilateral_spastic", gmfcs_level="2", vision="impaired",
        hearing="aided", epilepsy="no", national_opt_out="no",
    )
    values.update(cells)
    return values


def test_every_column_is_filled_in_the_full_row() -> None:
    empty = [column for column, text in full_v2_row().items() if not text]
    assert empty == ["death_datetime", "not_cooled_reason"]  # the two a cooled, living baby cannot have


def test_a_v2_file_with_every_column_round_trips_identically(people: Personas) -> None:
    text = csv_text(full_v2_row())

    result = csv_io.import_file(text.encode(), by=people.nurse)

    assert result.errors == []
    assert result.created == 1
    assert export_text() == text
    # ...and importing the export again changes nothing.
    events = AuditEvent.objects.count()
    again = csv_io.import_file(export_text().encode(), by=people.nurse)
    assert (again.unchanged, AuditEvent.objects.count()) == (1, events)


def test_the_typed_values_of_the_v2_columns(people: Personas) -> None:
    csv_io.import_file(csv_text(full_v2_row()).encode(), by=people.nurse)
    case = Case.objects.get()
    assert case.mri_sequences == ["t1", "t2", "dwi", "mrs", "swi"]
    assert case.mri_mrs_lactate_naa == Decimal("0.45")
    assert case.transport_service is not None and case.transport_service.ods_code == "RGT-PANDR"
    assert case.ens_notified_date == date(2024, 5, 20)
    assert (case.bayley_cognitive, case.gmfcs_level, case.anticonvulsant_count) == (80, 2, 2)
    assert case.transport_team_arrived_datetime == BIRTH + timedelta(minutes=140)


def test_the_export_writes_every_v1_and_v2_column() -> None:
    assert list(COLUMNS) == [*V1_COLUMNS, *V2_COLUMNS]
    assert read_csv(export_text()) == []
    assert export_text().splitlines()[0].split(",") == list(COLUMNS)


def test_a_v1_file_imports_unchanged_and_leaves_the_v2_fields_as_they_are(people: Personas) -> None:
    csv_io.import_file(csv_text(full_v2_row()).encode(), by=people.nurse)
    v1_row = {column: text for column, text in full_v2_row(apgar_10="3").items() if column in V1_COLUMNS}

    result = csv_io.import_file(csv_text(v1_row, columns=V1_COLUMNS).encode(), by=people.nurse)

    assert result.errors == []
    assert result.updated == 1
    case = Case.objects.get()
    assert case.apgar_10 == 3
    assert case.transport_service is not None
    assert (case.mri_injury_pattern, case.bayley_cognitive, case.transport_service.ods_code) == (
        "basal_ganglia_thalamus", 80, "RGT-PANDR")
    event = AuditEvent.objects.filter(object_type="pathway.case").first()
    assert event is not None and set(event.changes) == {"apgar_10"}


def test_a_v1_file_creates_cases_with_the_v2_fields_not_recorded(people: Personas) -> None:
    v1_row = {column: text for column, text in row().items() if column in V1_COLUMNS}
    assert csv_io.import_file(csv_text(v1_row, columns=V1_COLUMNS).encode(), by=people.nurse).created == 1
    case = Case.objects.get()
    assert (case.mri_sequences, case.referral_decision, case.bayley_version) == ([], "", "")


def test_codes_in_any_case_are_stored_lower_case_and_sequences_in_order(people: Personas) -> None:
    cells = full_v2_row(mri_sequences="SWI; dwi;T1;t2;MRS;dwi", referral_decision="Cool", vision="IMPAIRED")
    assert csv_io.import_file(csv_text(cells).encode(), by=people.nurse).errors == []
    case = Case.objects.get()
    assert (case.mri_sequences, case.referral_decision, case.vision) == (
        ["t1", "t2", "dwi", "mrs", "swi"], "cool", "impaired")
    assert read_csv(export_text())[0]["mri_sequences"] == "t1;t2;dwi;mrs;swi"


@pytest.mark.parametrize(("cells", "column", "words"), [
    ({"mri_sequences": "t1;flair"}, "mri_sequences", "Unknown sequence 'flair'"),
    ({"bayley_cognitive": "39"}, "bayley_cognitive", "greater than or equal to 40"),
    ({"mri_mrs_lactate_naa": "5.01"}, "mri_mrs_lactate_naa", "less than or equal to 5"),
    ({"followup_corrected_age_months": "17"}, "followup_corrected_age_months", "greater than or equal to 18"),
    ({"transport_service_ods": "RWG02"}, "transport_service_ods", "not a neonatal transport service"),
    ({"not_cooled_reason": "over_6h"}, "not_cooled_reason", "only for babies not cooled"),
    ({"mri_performed": "no", "mri_datetime": ""}, "mri_sequences", "only be recorded when MRI performed is 'yes'"),
    ({"labour": "yes", "mode_of_delivery": "prelabour_caesarean"}, "mode_of_delivery", "pre-labour caesarean"),
    ({"cerebral_palsy": "none"}, "gmfcs_level", "cerebral palsy is 'none'"),
    ({"seizures": "sometimes"}, "seizures", "Not one of the allowed values: none, clinical"),
    ({"transport_team_arrived_datetime": iso(BIRTH + timedelta(minutes=171))}, "depart_referring_datetime",
     "must be at or after the transport team at the bedside"),
])
def test_v2_hard_errors_name_row_column_and_rule_and_write_nothing(
        cells: dict[str, str], column: str, words: str, people: Personas) -> None:
    good = row(case_ref="GOOD-0001", nhs_number="")
    result = csv_io.import_file(csv_text(good, full_v2_row(**cells)).encode(), by=people.nurse)
    assert any(e.row == 3 and e.column == column and words in e.message for e in result.errors), \
        [(e.row, e.column, e.message) for e in result.errors]
    assert Case.objects.count() == 0


def test_a_v2_warning_saves_the_row_and_flags_it(people: Personas) -> None:
    result = csv_io.import_file(csv_text(full_v2_row(mri_sequences="t1;t2")).encode(), by=people.nurse)
    assert (result.created, result.flagged) == (1, 1)
    assert Case.objects.get().dq_flags == ["mri_without_dwi"]
