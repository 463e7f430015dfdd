"""The stored KPI figures as plain rows for JSON and CSV (the `export_kpis` command).

Each row has exactly the keys of EXPORT_KEYS; the median keys only for a median measure in JSON, and as
empty cells for a rate KPI in CSV, so every CSV row has the same columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from core.spreadsheet import safe_text
from kpis.models import KpiAggregate

RATE_KEYS = ("kpi", "level", "org", "period", "numerator", "denominator", "not_eligible", "missing", "rate")
MEDIAN_KEYS = ("n", "median", "q1", "q3")
EXPORT_KEYS = (*RATE_KEYS, *MEDIAN_KEYS)


def export_row(figure: KpiAggregate) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kpi": figure.kpi, "level": figure.level, "org": figure.org_code, "period": figure.period_key,
        "numerator": figure.numerator, "denominator": figure.denominator, "not_eligible": figure.not_eligible,
        "missing": figure.missing, "rate": figure.rate,
    }
    if figure.is_median:
        row.update(n=figure.n, median=figure.median, q1=figure.q1, q3=figure.q3)
    return row


def aggregate_rows(*, period: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
    figures = KpiAggregate.objects.order_by("kpi", "level", "org_code", "period_type", "period_start")
    if period:
        figures = figures.filter(period_key=period.strip())
    if level:
        figures = figures.filter(level=level)
    return [export_row(figure) for figure in figures]


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    json.dump(list(rows), out, indent=2)
    out.write("\n")


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=EXPORT_KEYS, restval="", lineterminator="\n")
    writer.writeheader()
    # Codes and keys are the app's own, but every text cell is still made formula-safe (core.spreadsheet).
    writer.writerows({key: "" if value is None else safe_text(value) if isinstance(value, str) else value
                      for key, value in row.items()} for row in rows)
