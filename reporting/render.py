"""Writing a report's content as PDF (WeasyPrint), XLSX (openpyxl) and CSV, and the case CSV, to open files.

Every writer takes a binary file and writes as it goes; the case CSV reads cases with `.iterator()`, so
a 300,000-row export holds one chunk of rows in memory, never the file (`python manage.py bench_export`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.template.loader import render_to_string
from openpyxl import Workbook

from pathway import csv_io
from pathway.models import CaseQuerySet
from reporting.content import ReportContent
from reporting.figures import COLUMNS, LAYOUT_VERSION, layout_row

Progress = Callable[[int], None]
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
PROGRESS_EVERY = 1000


def report_html(content: ReportContent, *, preview: bool = False) -> str:
    return render_to_string("reporting/report_pdf.html", {"c": content, "preview": preview})


def write_pdf(content: ReportContent, out: IO[bytes]) -> int:
    """The PDF; returns the number of figure rows it presents (for the export log)."""
    from weasyprint import HTML  # loads pango at import: only where a PDF is made

    # WeasyPrint logs every layout step, and a warning for each SVG presentation property inside a style
    # attribute (it draws them all the same): noise, one line per chart element.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=report_html(content)).write_pdf(target=out)
    return len(content.lines)


def figure_lines(content: ReportContent) -> Iterable[list[str]]:
    yield list(COLUMNS)
    for row in content.rows:
        yield layout_row(row, content.scope.period_key)


def write_csv(content: ReportContent, out: IO[bytes]) -> int:
    """The fixed-layout CSV (reporting.figures); UTF-8 with BOM so spreadsheet programs read "°" and "≥"."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    for line in figure_lines(content):
        writer.writerow(line)
    text.flush()
    text.detach()  # leave `out` open for the caller
    return len(content.rows)


def _cell(text: str) -> Any:
    """Numbers as numbers in the workbook; "<5" and text as text."""
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


def write_xlsx(content: ReportContent, out: IO[bytes]) -> int:
    """Sheet "KPIs" has the fixed layout (the CSV's columns); "Impact estimates" and "About" follow."""
    book = Workbook(write_only=True)
    kpis = book.create_sheet("KPIs")
    for i, line in enumerate(figure_lines(content)):
        kpis.append(line if i == 0 else [_cell(v) for v in line])
    sheet = book.create_sheet("Impact estimates")
    sheet.append(["estimate", "kpi", "treated", "eligible", "baseline_rate_percent", "nnt", "extra_treated",
                  "babies_helped", "saving_low_gbp", "saving_high_gbp", "inputs"])
    for view in content.estimates:
        sheet.append(_estimate_row(view))
    about = book.create_sheet("About")
    for pair in (("Report", content.title), ("Scope", content.scope.describe()),
                 ("Period", content.period_label), ("Generated", content.generated_at.isoformat()),
                 ("Data as of", content.data_as_of.isoformat() if content.data_as_of else ""),
                 ("For sharing outside the network", "yes" if content.external else "no"),
                 ("Small-number threshold", content.threshold), ("Column layout version", LAYOUT_VERSION)):
        about.append(list(pair))
    book.save(out)
    return len(content.rows)


def _estimate_row(view: Any) -> list[Any]:
    e = view.estimate
    inputs = "; ".join(f"{i.label}: {i.value} {i.unit} ({i.source}, {i.year})" for i in e.inputs)
    if view.withheld or not e.ready:
        note = "withheld: small numbers" if view.withheld else "no figure or input"
        return [e.spec.title, e.spec.kpi, note, "", "", "", "", "", "", "", inputs]
    low, high = e.saving
    return [e.spec.title, e.spec.kpi, e.treated, e.eligible, float(e.baseline_rate or 0), float(e.nnt or 0),
            round(e.extra, 1), round(e.helped, 2), round(low), round(high), inputs]


def write_cases_csv(cases: CaseQuerySet, out: IO[bytes], *, identifiable: bool,
                    progress: Progress | None = None) -> int:
    """pathway's dataset CSV (same columns, cells and pseudonyms as its download), written row by row."""
    pseudonymise = None if identifiable else csv_io.Pseudonymiser()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    written = -1  # the header is not a case
    for written, line in enumerate(csv_io.csv_lines(csv_io.export_rows(cases, pseudonymise)), start=0):
        text.write(line)
        if progress and written and written % PROGRESS_EVERY == 0:
            progress(written)
    text.flush()
    text.detach()
    return max(written, 0)
