"""No developer words in anything a user sees: every board report page, the PDF, the spreadsheet, the CSV and
the impact page are searched for file names, section marks, reference tags and code names."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.testing.personas import Personas
from reporting import services
from reporting.models import BoardReport, ExportJob
from reporting.tests.conftest import client_for

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "a file name": re.compile(r"\b[\w-]+\.(?:md|py|html|txt)\b"),
    "a section mark": re.compile(r"§"),
    "a reference tag": re.compile(r"\b[SH]\d{1,2}\b"),
    "a code name": re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b"),
}


def _visible_text(page: str) -> str:
    """The words a person reads: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _problems(where: str, text: str) -> list[str]:
    return [f"{where}: {what} {match.group(0)!r} in …{text[max(0, match.start() - 40):match.end() + 40]!r}…"
            for what, pattern in FORBIDDEN.items() for match in pattern.finditer(text)]


def _texts(box: Any) -> Any:
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", []):
        yield from _texts(child)


def _download(client: Any, report: BoardReport, fmt: str, capture: Any) -> bytes:
    with capture(execute=True):
        client.post(reverse("reporting:export", args=[report.pk]), {"format": fmt})
    job = ExportJob.objects.latest("id")
    page = client.get(reverse("reporting:job", args=[job.pk])).content.decode()
    assert not _problems(f"job page {fmt}", _visible_text(page))
    return b"".join(client.get(reverse("reporting:job_download", args=[job.pk])).streaming_content)


@pytest.mark.parametrize("external", [False, True])
def test_no_file_names_section_marks_or_code_names_anywhere(figures: Personas, media: Path, external: bool,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    from weasyprint import HTML

    from reporting.render import report_html

    client = client_for(figures.lead)
    report = services.board_report_create(values={"title": "Board report", "level": "network", "period_key": "FY2024",
                                                  "for_external": external, "summary": "A steady year.",
                                                  "impact_from": date(2023, 4, 1)},
                                          by=figures.lead)
    found: list[str] = []
    pages = {"list": reverse("reporting:list"), "new": reverse("reporting:create"),
             "edit": reverse("reporting:edit", args=[report.pk]),
             "draft": reverse("reporting:preview", args=[report.pk]),
             "publish": reverse("reporting:publish", args=[report.pk]),
             "impact": reverse("improvement:impact") + "?period=FY2024&start=01/04/2023"}
    for name, url in pages.items():
        found += _problems(name, _visible_text(client.get(url).content.decode()))
    downloads = {fmt: _download(client, report, fmt, django_capture_on_commit_callbacks) for fmt in ("csv", "xlsx")}
    report = services.board_report_publish(report=report, by=figures.lead, expected_version=report.version)
    found += _problems("published", _visible_text(client.get(pages["draft"]).content.decode()))
    found += _problems("list after", _visible_text(client.get(pages["list"]).content.decode()))

    document = HTML(string=report_html(services.report_data(report), report)).render()
    found += _problems("PDF", " ".join(t for page in document.pages for t in _texts(page._page_box)))
    for cells in csv.reader(io.StringIO(downloads["csv"].decode("utf-8-sig"))):
        found += _problems("CSV", " ".join(cells))
    book = load_workbook(io.BytesIO(downloads["xlsx"]))
    for sheet in book:
        found += _problems(f"sheet {sheet.title}", sheet.title)
        for row in sheet.iter_rows(values_only=True):
            found += _problems(f"sheet {sheet.title}", " ".join(str(v) for v in row if v is not None))
    assert not found, "\n".join(sorted(set(f.split(" in …")[0] for f in found)))
