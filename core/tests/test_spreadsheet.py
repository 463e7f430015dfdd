"""OWASP CSV injection: the written cell is inert, the read cell is the real value."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheet import restore_text, safe_text, xlsx_value


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"x\")"])
def test_risky_text_gets_a_quote_and_comes_back(text: str) -> None:
    written = safe_text(text)
    assert written == "'" + text
    assert restore_text(written) == text


@pytest.mark.parametrize("text", ["", "RGT01", "-1.5", "+3", "42", "2024-03-31T00:45", "'quoted already"])
def test_safe_text_leaves_data_alone(text: str) -> None:
    assert safe_text(text) == text
    assert restore_text(text) == text


def test_a_real_leading_quote_before_a_trigger_survives_the_round_trip() -> None:
    text = "'=not a formula"
    assert restore_text(safe_text(text)) == text


def test_xlsx_never_stores_user_text_as_a_formula() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append([xlsx_value("=1+1"), xlsx_value(5), xlsx_value(None)])
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).active["A1"]
    assert cell.data_type == "s"
    assert cell.value == "'=1+1"
