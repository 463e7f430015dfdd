"""The import template and the column guide: generated from the dataset contract, so every column is there
with its type, codes, rules and an example; and a column added to the contract appears by itself."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas
from pathway import column_guide, csv_io
from pathway.dataset import COLUMNS


def test_every_column_is_described_in_contract_order() -> None:
    guides = column_guide.column_guides()
    assert [g.column for g in guides] == list(COLUMNS)
    assert all(g.kind and g.rules for g in guides)


def test_a_column_is_described_from_the_rules_the_import_enforces() -> None:
    by = {g.column: g for g in column_guide.column_guides()}
    assert by["gestation_weeks"].rules == ("Required", "From 22 to 44")
    assert by["sex"].codes == (
        ("male", "Male"),
        ("female", "Female"),
        ("indeterminate", "Indeterminate"),
        ("unknown", "Unknown"),
    )
    assert by["aeeg"].kind == "Code"
    assert "Required when cooled (therapeutic hypothermia) is 'yes'" in by["cooling_centre_ods"].rules
    assert "At or after the time rewarming started" in by["rewarming_end"].rules
    assert "After the date and time of birth" in by["mri_datetime"].rules
    assert "10 digits that pass the NHS number check (Modulus 11)" in by["nhs_number"].rules
    assert by["multiple_birth"].rules[:2] == ("Optional: leave empty when not recorded", "Empty means 'no'")
    assert by["lowest_ph_60min"].kind == "Decimal number, up to 2 decimal places"
    assert by["birth_datetime"].kind == "Date and time"
    v2 = "A v2 column: a file may leave it out, and then the import leaves the value as it is"
    assert v2 in by["referral_decision"].rules and v2 not in by["hie_grade"].rules
    assert by["mri_sequences"].kind == "Codes separated by ;"


def test_the_examples_import_without_errors(network: None) -> None:
    """Every example, put in one row, is a valid baby: the guide never shows a value the import refuses."""
    examples = {g.column: g.example for g in column_guide.column_guides()}
    examples.update(
        death_datetime="",
        outcome="alive",
        early_stop_reason="",
        postnatal_collapse_datetime="",
        followup_2y="completed",
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([examples[c] for c in COLUMNS])
    assert csv_io.parse(out.getvalue()).errors == []


def test_a_new_column_appears_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(column_guide, "COLUMNS", (*COLUMNS, "stage"))
    by = {g.column: g for g in column_guide.column_guides()}
    assert by["stage"].kind == "Code"
    assert ("awaiting_cooling", "Referred – cooling not yet started") in by["stage"].codes


@pytest.fixture
def nurse_client(people: Personas) -> Client:
    client = Client()
    client.force_login(people.nurse)
    return client


def test_the_template_is_the_header_row(nurse_client: Client) -> None:
    response = nurse_client.get(reverse("pathway:import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hie-dataset-template.csv"'
    text = response.content.decode("utf-8-sig")
    assert text == ",".join(COLUMNS) + "\r\n"
    # Filled in and uploaded as it is, it is a file the import reads (no header problem).
    assert csv_io.parse(response.content).errors == []


def test_the_column_guide_page(nurse_client: Client) -> None:
    response = nurse_client.get(reverse("pathway:import_columns"))
    assert response.status_code == 200
    body = response.content.decode()
    for column in COLUMNS:
        assert f'id="column-{column}"' in body
    assert "From 400 to 6500" in body
    assert reverse("pathway:import_template") in body
    upload_page = nurse_client.get(reverse("pathway:import_upload")).content.decode()
    assert reverse("pathway:import_columns") in upload_page


def test_the_guide_and_template_need_a_role_that_imports_or_exports(people: Personas) -> None:
    client = Client()
    client.force_login(people.clinician)
    assert client.get(reverse("pathway:import_template")).status_code == 403
    assert client.get(reverse("pathway:import_columns")).status_code == 403
    assert Client().get(reverse("pathway:import_columns")).status_code == 302
