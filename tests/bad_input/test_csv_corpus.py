"""Malformed CSV files (tests/bad_input/corpus/, described in its README) through the importer and the
upload page: each gets a clear error naming the row, the column and the rule; no 500; nothing written.

Every file but the header and encoding ones also holds one valid row (GOOD-0001), so "nothing written"
shows the import is all or nothing, not merely that the bad row was skipped.
"""

from __future__ import annotations

from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.testing.personas import Personas
from pathway import csv_io
from pathway.models import Case

CORPUS = Path(__file__).parent / "corpus"

# file → (row, column, words the message must contain)
EXPECTED: dict[str, tuple[int, str, str]] = {
    "wrong_type.csv": (3, "gestation_weeks", "value must be an integer"),
    "out_of_range.csv": (3, "birth_weight_g", "less than or equal to"),
    "broken_time_order.csv": (3, "rewarming_end", "must be at or after the time rewarming started"),
    "invalid_nhs_number.csv": (3, "nhs_number", "Modulus 11"),
    "bad_choice.csv": (3, "sex", "Not one of the allowed values: male, female"),
    "nonexistent_local_time.csv": (3, "birth_datetime", "does not exist in UK time"),
    "unknown_unit.csv": (3, "birth_unit_ods", "Unknown ODS site code 'ZZZ99'"),
    "duplicate_case_ref.csv": (3, "case_ref", "Duplicate case_ref in the file (also on row 2)"),
    "wrong_header.csv": (1, "case reference", "Unknown column 'case reference'"),
    "double_bom.csv": (1, "\ufeffcase_ref", "Unknown column"),
    "bom_then_bad_date.csv": (3, "birth_datetime", "is not a real date and time"),
    "not_utf8.csv": (3, "", "not UTF-8"),
    "unclosed_quote.csv": (3, "", "not valid CSV"),
    "nul_byte.csv": (3, "case_ref", "A NUL byte (character code 0) is not allowed in a cell"),
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.csv")) == sorted(EXPECTED)


def _errors(data: bytes, people: Personas) -> list[csv_io.RowError]:
    try:
        return csv_io.import_file(data, by=people.nurse).errors
    except csv_io.FileRejected as exc:
        return [exc.error]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_file_names_row_column_and_rule(name: str, people: Personas) -> None:
    row, column, words = EXPECTED[name]
    events = AuditEvent.objects.count()

    errors = _errors((CORPUS / name).read_bytes(), people)

    assert any(e.row == row and e.column == column and words in e.message for e in errors), \
        [(e.row, e.column, e.message) for e in errors]
    assert Case.objects.count() == 0 and AuditEvent.objects.count() == events


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upload_page_shows_the_error_and_writes_nothing(name: str, people: Personas, client: Client) -> None:
    _row, column, words = EXPECTED[name]
    client.force_login(people.nurse)
    upload = SimpleUploadedFile(name, (CORPUS / name).read_bytes(), content_type="text/csv")

    response = client.post(reverse("pathway:import_upload"), {"csv_file": upload})

    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Traceback" not in page
    assert words in page and column in page
    assert Case.objects.count() == 0


def test_a_25_mb_upload_is_refused_by_size_before_it_is_read(people: Personas, client: Client, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 20  # the limit is a setting (default 50: 100,000 rows fit, issue 12)
    good = (CORPUS / "wrong_type.csv").read_bytes().split(b"\r\n")
    header, line = good[0], good[1]
    body = header + b"\r\n" + (line + b"\r\n") * (25 * 1024 * 1024 // (len(line) + 2) + 1)
    assert len(body) > 25 * 1024 * 1024
    client.force_login(people.nurse)

    response = client.post(reverse("pathway:import_upload"),
                           {"csv_file": SimpleUploadedFile("huge.csv", body, content_type="text/csv")})

    assert response.status_code == 400
    assert "The selected file must be smaller than 20 MB" in response.content.decode()
    assert Case.objects.count() == 0
