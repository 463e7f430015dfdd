"""No cell the app writes can start a formula in a spreadsheet (OWASP "CSV injection"), one test per writer:
the case CSV (download, background job, command), the POP CSV, the KPI figures CSV, the chart-data CSV, the
live-births CSV, and the board report's CSV and spreadsheet. A risky text cell gets a leading quote; plain
numbers (-2.5) stay numbers; importing the written file reads back the real value."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.spreadsheet import FORMULA_TRIGGERS
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from kpis import downloads, exports
from pathway import csv_io, services
from pathway.models import Case
from pop import csv_io as pop_csv_io
from pop import services as pop_services
from pop.models import PopRecord
from pop.tests.factories import pop_values
from reporting import render
from units import births
from units.models import Unit

pytestmark = pytest.mark.django_db

# The printable triggers OWASP lists, in case references (an import strips a cell's outer white space, so a
# leading tab or carriage return is tested on the other writers).
RISKY_REFS = ["=2+5-HIE", "+HIE-1", "-HIE-2+1", "@SUM(A1)"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _no_cell_starts_a_formula(text: str) -> None:
    for cells in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")):
        for cell in cells:
            assert not cell.startswith(FORMULA_TRIGGERS) or _is_number(cell), cell


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True


@pytest.fixture
def risky_cases(people: Personas) -> list[Case]:
    return [services.case_create(values=cooled_case_values(case_ref=ref), by=people.nurse) for ref in RISKY_REFS]


def test_case_csv_download_quotes_risky_cells_keeps_numbers_and_imports_back(risky_cases: list[Case],
                                                                           people: Personas) -> None:
    client = Client()
    client.force_login(people.nurse)
    response = client.post(reverse("pathway:export_download"), {"identifiable": "1", "reason": "audit check"})
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]

    _no_cell_starts_a_formula(text)
    rows = _rows(text)
    assert sorted(row["case_ref"] for row in rows) == sorted("'" + ref for ref in RISKY_REFS)
    assert {row["lowest_ph_60min"] for row in rows} == {"6.95"}  # numbers stay numbers

    result = csv_io.import_file(text, by=people.nurse)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, len(RISKY_REFS))
    assert sorted(Case.objects.values_list("case_ref", flat=True)) == sorted(RISKY_REFS)


def test_case_csv_background_job_writer_is_safe(risky_cases: list[Case]) -> None:
    out = io.BytesIO()
    render.write_cases_csv(csv_io.export_queryset(Case.objects.all()), out, identifiable=True)
    text = out.getvalue().decode()
    _no_cell_starts_a_formula(text)
    assert "'=2+5-HIE" in text


def test_export_cases_command_is_safe(risky_cases: list[Case], tmp_path: Any) -> None:
    target = tmp_path / "cases.csv"
    call_command("export_cases", str(target), stdout=io.StringIO())
    text = target.read_text()
    _no_cell_starts_a_formula(text)
    assert "'@SUM(A1)" in text


def test_pop_csv_is_safe_and_round_trips(people: Personas) -> None:
    pop_services.pop_create(values=pop_values(case_ref="=POP+1"), by=people.nurse)
    text = "".join(pop_csv_io.csv_lines(pop_csv_io.export_rows(pop_csv_io.export_queryset(PopRecord.objects.all()))))
    _no_cell_starts_a_formula(text)
    assert _rows(text)[0]["case_ref"] == "'=POP+1"
    result = pop_csv_io.import_file(text, by=people.nurse)
    assert result.ok and result.unchanged == 1
    assert PopRecord.objects.get().case_ref == "=POP+1"


def test_kpi_figures_csv_is_safe() -> None:
    out = io.StringIO()
    exports.write_csv([{"kpi": "=cmd|' /C calc'!A0", "level": "network", "org": "@EOE", "period": "2024",
                        "numerator": 3, "denominator": 4, "rate": -0.5}], out)
    _no_cell_starts_a_formula(out.getvalue())
    row = _rows(out.getvalue())[0]
    assert (row["kpi"], row["org"], row["rate"]) == ("'=cmd|' /C calc'!A0", "'@EOE", "-0.5")


def test_chart_data_csv_is_safe(people: Personas) -> None:
    rows = [["=HYPERLINK(\"http://x\")", "-0.5"], ["\t=1", "\r=2"]]
    response = downloads.csv_response(["Unit", "Rate"], rows, name="chart", user=people.lead, what="test")
    text = response.content.decode()
    _no_cell_starts_a_formula(text)
    assert _rows(text) == [{"Unit": "'=HYPERLINK(\"http://x\")", "Rate": "-0.5"}, {"Unit": "'\t=1", "Rate": "'\r=2"}]


def _report_data(risky: str) -> dict[str, Any]:
    table = {"caption": risky, "note": risky, "columns": [{"label": risky, "kind": "text"},
                                                          {"label": "Rate", "kind": "percent"}],
             "rows": [[[risky, None], ["-50.0%", -0.5]]]}
    return {"title": risky, "scope": {"name": risky, "describe": risky}, "period": {"label": risky},
            "figures_as_of": None, "external": False, "policy": [risky], "definitions": [(risky, risky, "1")],
            "sections": [{"title": "Section", "intro": [risky], "tables": [table]}],
            "layout": {"columns": ["Organisation", "Rate (%)"], "rows": [[risky, "12.5"]]}, "charts": []}


def test_report_csv_is_safe() -> None:
    out = io.BytesIO()
    render.write_csv(_report_data("=1+1"), out)
    text = out.getvalue().decode("utf-8-sig")
    _no_cell_starts_a_formula(text)
    assert _rows(text)[0]["Organisation"] == "'=1+1"


def test_report_spreadsheet_never_stores_text_as_a_formula() -> None:
    out = io.BytesIO()
    render.write_xlsx(_report_data("=1+1"), out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'=1+1" in {cell.value for cell in cells}
    assert -0.5 in {cell.value for cell in cells}  # the numeric column stays a number


def test_live_births_csv_is_safe_and_round_trips(people: Personas) -> None:
    # A unit code is free text typed in the admin: the live-births file must not carry it as a formula.
    unit = Unit.objects.get(ods_code="RGT01")
    unit.ods_code = "=1+2"
    unit.save()
    births.unit_year_save(unit=unit, year=2024, live_births=5000, by=people.nurse)
    text = "".join(births.csv_lines(births.export_queryset()))
    _no_cell_starts_a_formula(text)
    assert [row["unit_ods"] for row in _rows(text) if row["year"] == "2024"] == ["'=1+2"]
    result = births.live_births_import(text, by=people.nurse)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 1)
