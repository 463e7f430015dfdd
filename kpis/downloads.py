"""Chart data as CSV: the data table under every chart, and the units comparison, for a spreadsheet.

Aggregate figures only (no baby is identifiable from them, and every signed-in role sees them on the page),
but a download is still an export: each is audited (who, what). Cells pass through `core.spreadsheet.safe_text`
so a unit name can never run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.text import slugify

from core import audit
from core.models import AuditEvent
from core.spreadsheet import safe_text
from kpis.charts import Chart
from units.access import UserLike


def csv_response(header: Sequence[str], rows: Iterable[Sequence[str]], *, name: str, user: UserLike,
                 what: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.csv"'
    response.write("\ufeff")  # a byte-order mark, so Excel reads "–" and "≥" as written
    writer = csv.writer(response)
    writer.writerow([safe_text(cell) for cell in header])
    count = 0
    for row in rows:
        writer.writerow([safe_text(str(cell)) for cell in row])
        count += 1
    audit.record(actor=user, action=AuditEvent.Action.EXPORT, object_type="kpis.chart_data", object_id=name,
                 summary=f"Chart data downloaded: {what} ({count} rows)")
    return response


def chart_csv(chart: Chart, *, name: str, user: UserLike) -> HttpResponse:
    return csv_response(chart.table.header, chart.table.rows, name=name, user=user, what=chart.title)
