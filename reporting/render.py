"""Writing a report's data (`reporting.content`) as the page, the PDF (WeasyPrint), the spreadsheet (openpyxl)
and the CSV, and the case CSV, to open files.

Every writer takes a binary file and writes as it goes; the case CSV reads cases with `.iterator()`, so
a 300,000-row export holds one chunk of rows in memory, never the file (`python manage.py bench_export`).
Every text cell of a spreadsheet or CSV passes through `core.spreadsheet` (no cell can start a formula).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import memo
from core.spreadsheet import safe_text, xlsx_value
from pathway import csv_io
from pathway.models import CaseQuerySet

Progress = Callable[[int], None]
PROGRESS_EVERY = 1000
# Spreadsheet number formats by column kind (reporting.sections).
_FORMATS = {"percent": "0.0%", "count": "0", "minutes": "0"}
_WIDTHS = {"text": 40, "percent": 12, "count": 10, "minutes": 10}
# Parsed chart pictures, kept between PDFs in this process: a chart placed in one PDF is not read again.
_IMAGE_CACHE: dict[str, Any] = {}
PICTURE_WIDTH = 1100
IMAGE_CACHE_LIMIT = 200
JPEG_QUALITY = 92
CHART_SCHEME = "chart"


@memo.by_arguments("reporting.chart.jpeg")
def chart_picture(svg: str) -> str:
    """The chart as a JPEG (base64) for the PDF, drawn once per chart (`core.memo`); "" without cairo.

    WeasyPrint draws an SVG's every line and label again for each PDF (about half a second a chart), and it
    decodes and compresses a PNG again for each PDF (0.1 s a chart, twice for a transparent one); a JPEG it
    copies into the file as it is. So the chart is drawn on white and kept as a JPEG at quality 92 with full
    colour resolution, which keeps its thin lines and small labels sharp in print. 1100 pixels across is
    190 dots per inch at the printed width."""
    try:
        import cairosvg  # needs the cairo library (Debian: libcairo2, which pango already brings)
    except (ImportError, OSError):
        return ""
    from PIL import Image

    drawn = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), output_width=PICTURE_WIDTH,
                                                   background_color="white")))
    out = io.BytesIO()
    drawn.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return base64.b64encode(out.getvalue()).decode()


def with_pictures(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data with a picture beside each chart's SVG (stored with a published report's snapshot)."""
    return {**data, "charts": [{**c, "jpeg": _stored_picture(c)[1] or chart_picture(c["svg"])}
                               for c in data.get("charts", [])]}


def _stored_picture(chart: Mapping[str, Any]) -> tuple[str, str]:
    """(MIME type, base64) of the picture a snapshot holds: a JPEG, or a PNG in a report published before
    the pictures were JPEGs (kept as it was: a published report is never redrawn)."""
    if chart.get("jpeg"):
        return "image/jpeg", chart["jpeg"]
    if chart.get("png"):
        return "image/png", chart["png"]
    return "", ""


def _picture(chart: Mapping[str, Any]) -> tuple[str, bytes]:
    """The chart as the PDF places it: its stored picture, else one drawn now (once), else its SVG."""
    mime, encoded = _stored_picture(chart)
    if not encoded and (encoded := chart_picture(chart["svg"])):
        mime = "image/jpeg"
    if encoded:
        return mime, base64.b64decode(encoded)
    return "image/svg+xml", chart["svg"].encode()


def _chart_address(chart: Mapping[str, Any]) -> str:
    """`chart:<digest of the chart>`: the page names the picture rather than holding it (a data address made
    the page 0.9 MB, which WeasyPrint's HTML parser read character by character), and equal pages mean
    equal PDFs, which the PDF cache below relies on."""
    digest = hashlib.blake2b(chart["svg"].encode(), digest_size=16).hexdigest()
    return f"{CHART_SCHEME}:{digest}"


def _context(data: Mapping[str, Any], report: Any = None, *, for_pdf: bool = False) -> dict[str, Any]:
    charts = data.get("charts", [])
    if for_pdf:
        charts = [{**c, "src": _chart_address(c)} for c in charts]
    return {"d": data, "charts": charts, "report": report, "pdf": for_pdf}


def report_html(data: Mapping[str, Any], report: Any = None) -> str:
    return render_to_string("reporting/report_pdf.html", _context(data, report, for_pdf=True))


def _fetcher(data: Mapping[str, Any]) -> Any:
    """WeasyPrint's fetcher for the PDF: the report's own charts and nothing else (no file or web address,
    whatever a title or narrative holds)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    pictures = {_chart_address(c): c for c in data.get("charts", [])}

    class ChartFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url not in pictures:
                raise ValueError("A report PDF only shows its own charts")
            mime, body = _picture(pictures[url])
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return ChartFetcher()


def pdf_bytes(data: Mapping[str, Any], report: Any = None) -> bytes:
    """The PDF, laid out once per page (`core.memo`, keyed by the page's HTML): the same figures, words and
    status give the same page and so the same file, and any change anywhere gives a new page. A worker lays
    out a draft's PDF ahead (`reporting.charts.prepare`), so the download finds it made."""
    html = report_html(data, report)
    digest = hashlib.blake2b(html.encode(), digest_size=16).hexdigest()
    return memo.remember("reporting.pdf", digest, lambda: _lay_out(html, data))


def _lay_out(html: str, data: Mapping[str, Any]) -> bytes:
    from weasyprint import HTML  # loads pango at import: only where a PDF is made

    # WeasyPrint logs every layout step: noise.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    if len(_IMAGE_CACHE) > IMAGE_CACHE_LIMIT:
        _IMAGE_CACHE.clear()  # a long-lived worker forgets old charts rather than growing for ever
    return bytes(HTML(string=html, url_fetcher=_fetcher(data)).write_pdf(cache=_IMAGE_CACHE))


def write_pdf(data: Mapping[str, Any], out: IO[bytes], report: Any = None) -> int:
    """The PDF; returns the number of figure rows it presents (for the export log)."""
    out.write(pdf_bytes(data, report))
    return figure_count(data)


def figure_count(data: Mapping[str, Any]) -> int:
    return sum(len(t["rows"]) for s in data["sections"] for t in s["tables"]) + sum(
        len(e["results"]) for s in data["sections"] for e in s.get("estimates", []))


def write_csv(data: Mapping[str, Any], out: IO[bytes]) -> int:
    """The fixed-layout CSV (reporting.figures); UTF-8 with BOM so spreadsheet programs read "°" and "≥"."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    layout = data["layout"]
    writer.writerow([safe_text(c) for c in layout["columns"]])
    for row in layout["rows"]:
        writer.writerow([safe_text(c) for c in row])
    text.flush()
    text.detach()  # leave `out` open for the caller
    return len(layout["rows"])


# --- The spreadsheet -------------------------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    while name in used:
        name = name[:29] + f" {len(used)}"
    used.add(name)
    return name


def _header(sheet: Worksheet, row: int, labels: Iterable[str]) -> None:
    for column, label in enumerate(labels, start=1):
        target = sheet.cell(row=row, column=column, value=xlsx_value(label))
        target.font = Font(bold=True)
        target.alignment = Alignment(wrap_text=True, vertical="top")


def _write_table(sheet: Worksheet, row: int, found: Mapping[str, Any]) -> int:
    """Caption, header and rows from `row`; returns the next free row."""
    sheet.cell(row=row, column=1, value=xlsx_value(found["caption"])).font = Font(bold=True, size=12)
    _header(sheet, row + 1, [c["label"] for c in found["columns"]])
    kinds = [c["kind"] for c in found["columns"]]
    at = row + 2
    for cells in found["rows"]:
        for column, ((text, value), kind) in enumerate(zip(cells, kinds, strict=True), start=1):
            if value is not None and kind in _FORMATS:
                target = sheet.cell(row=at, column=column, value=value)
                target.number_format = _FORMATS[kind]
            else:
                target = sheet.cell(row=at, column=column, value=xlsx_value(text.replace("\n", " — ")))
            target.alignment = Alignment(wrap_text=kind == "text", vertical="top")
        at += 1
    if found.get("note"):
        sheet.cell(row=at, column=1, value=xlsx_value(found["note"])).font = Font(italic=True)
        at += 1
    return at + 1


def _widths(sheet: Worksheet, kinds: list[str]) -> None:
    for column, kind in enumerate(kinds, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(kind, 14)


def _section_sheet(book: Workbook, section: Mapping[str, Any], used: set[str]) -> None:
    sheet = book.create_sheet(_sheet_title(section["title"], used))
    row = 1
    for text in section.get("intro", []):
        sheet.cell(row=row, column=1, value=xlsx_value(text))
        row += 1
    row += 1 if section.get("intro") else 0
    widest: list[str] = []
    for found in section["tables"]:
        row = _write_table(sheet, row, found)
        kinds = [c["kind"] for c in found["columns"]]
        widest = kinds if len(kinds) > len(widest) else widest
    if section.get("estimates"):
        row = _write_table(sheet, row, _estimates_table(section["estimates"]))
        widest = ["text"] * 7
    first = section["tables"][0] if section["tables"] else None
    if first is not None and not section.get("intro"):
        sheet.freeze_panes = "A3"  # the first table's header row stays in view
    _widths(sheet, widest)


def _estimates_table(estimates: list[Mapping[str, Any]]) -> dict[str, Any]:
    rows = []
    for e in estimates:
        inputs = "; ".join(f"{label}: {value} ({population}) {source}".replace(" ()", "")
                           for label, value, population, source, _year, _key in e["inputs"])
        for r in e["results"]:
            result = f"{r['headline']}; {r['money']}".strip("; ") if r["shown"] else r["reason"]
            rows.append([[e["title"], None], [r["for"], None], [result, None], [r["working"], None],
                         [inputs, None]])
    return {"caption": "Impact estimates", "note": "",
            "columns": [{"label": label, "kind": "text"} for label in
                        ("Estimate", "Period", "Result", "Working", "Inputs and sources")], "rows": rows}


def write_xlsx(data: Mapping[str, Any], out: IO[bytes], report: Any = None, *,
               downloaded_at: datetime | None = None) -> int:
    """One sheet per section, then the figures by unit (the CSV's layout), the definitions and the report's
    particulars. Percentages are percentage cells, counts are numbers, header rows are frozen."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for section in data["sections"]:
        _section_sheet(book, section, used)
    _layout_sheet(book, data, used)
    _definitions_sheet(book, data, used)
    published = _published_at(report)
    # A published report's spreadsheet is made once and kept (`services._published_file`): no download time.
    _about_sheet(book, data, report, used, None if published else downloaded_at or timezone.now())
    book.properties.created = book.properties.modified = published or timezone.now().replace(tzinfo=None)
    book.save(out)
    return len(data["layout"]["rows"])


def _published_at(report: Any) -> datetime | None:
    if report is not None and getattr(report, "published_at", None):
        return timezone.localtime(report.published_at).replace(tzinfo=None)
    return None


_PERCENT_COLUMNS = {"Rate (%)", "95% interval low (%)", "95% interval high (%)", "National (%)"}
_NUMBER_COLUMNS = {"Met", "Not met", "Eligible", "Not eligible", "Missing", "Babies timed", "Median (minutes)",
                   "Lower quartile (minutes)", "Upper quartile (minutes)", "Definition version"}


def _layout_sheet(book: Workbook, data: Mapping[str, Any], used: set[str]) -> None:
    sheet = book.create_sheet(_sheet_title("Figures by unit", used))
    columns = data["layout"]["columns"]
    _header(sheet, 1, columns)
    for at, row in enumerate(data["layout"]["rows"], start=2):
        for column, (name, text) in enumerate(zip(columns, row, strict=True), start=1):
            target = sheet.cell(row=at, column=column)
            if name in _PERCENT_COLUMNS and text.replace(".", "", 1).isdigit():  # not "[c]" (hidden)
                target.value, target.number_format = float(text) / 100, "0.0%"
            elif name in _NUMBER_COLUMNS and text.replace(".", "", 1).isdigit():
                target.value = float(text) if "." in text else int(text)
            else:
                target.value = xlsx_value(text)
    sheet.freeze_panes = "A2"
    for column, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = 30 if name in {"Organisation", "Measure",
                                                                                "National figure"} else 13


def _definitions_sheet(book: Workbook, data: Mapping[str, Any], used: set[str]) -> None:
    sheet = book.create_sheet(_sheet_title("Definitions", used))
    _header(sheet, 1, ["Measure", "What it counts", "Definition version"])
    for at, (title, words, version) in enumerate(data["definitions"], start=2):
        sheet.cell(row=at, column=1, value=xlsx_value(title))
        sheet.cell(row=at, column=2, value=xlsx_value(words)).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=at, column=3, value=int(version))
    at = len(data["definitions"]) + 3
    for line in (*data["policy"], "Missing data is never counted as a failure; it is shown beside each figure.",
                 "95% intervals are Wilson score intervals."):
        sheet.cell(row=at, column=1, value=xlsx_value(line))
        at += 1
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 42), ("B", 90), ("C", 12)):
        sheet.column_dimensions[letter].width = width


def _about_sheet(book: Workbook, data: Mapping[str, Any], report: Any, used: set[str],
                 downloaded: datetime | None) -> None:
    sheet = book.create_sheet(_sheet_title("About this report", used))
    for at, (name, value) in enumerate(about_rows(data, report, downloaded), start=1):
        sheet.cell(row=at, column=1, value=xlsx_value(name)).font = Font(bold=True)
        sheet.cell(row=at, column=2, value=xlsx_value(value))
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 32, 90


def about_rows(data: Mapping[str, Any], report: Any, downloaded: datetime | None) -> list[tuple[str, str]]:
    """The report's particulars, shared by the spreadsheet's last sheet and the page."""
    rows = [("Report", data["title"]), ("For", data["scope"]["name"]), ("Period", data["period"]["label"]),
            ("Figures as of", _when(data.get("figures_as_of")))]
    if report is not None and report.is_published:
        rows += [("Status", f"Published, version {report.edition}"),
                 ("Signed off by", _person(report.published_by)),
                 ("Signed off on", _when(report.published_at.isoformat()))]
        if report.what_changed:
            rows.append(("What changed", report.what_changed))
    else:
        rows.append(("Status", "Draft: live figures, not signed off"))
    rows.append(("Sharing", "Outside the network (small numbers hidden)" if data["external"] else
                 "Within the network only"))
    if downloaded is not None:
        rows.append(("Downloaded", _when(downloaded.isoformat())))
    return rows


def _when(iso: str | None) -> str:
    if not iso:
        return "No complete KPI run yet"
    return f"{timezone.localtime(datetime.fromisoformat(iso)):%d/%m/%Y %H:%M}"


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- The case CSV ------------------------------------------------------------------------------------------------


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
