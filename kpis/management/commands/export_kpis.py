"""`python manage.py export_kpis --format json|csv [--period P] [--level L] [--output FILE]`."""

from __future__ import annotations

import io
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from kpis.definitions.base import Level
from kpis.exports import aggregate_rows, write_csv, write_json


class Command(BaseCommand):
    help = (
        "Write the stored KPI figures (from the last compute_kpis or nightly run) as JSON or CSV. "
        "JSON: a list of objects with the keys kpi, level, org (ODS code, or 'network'), period, numerator, "
        "denominator, not_eligible, missing, rate, and for median measures also n, median, q1, q3 (minutes). "
        "CSV: one header row with those 13 columns (median columns empty for rate KPIs). rate is a proportion "
        "in [0, 1], empty/null when the denominator is 0. Filter with --period (e.g. 2024, 2024-Q3, 2024-07, "
        "R12-2024-07) and --level (birth_unit, cooling_centre, network, transport)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--period", metavar="P", help="Only this period key")
        parser.add_argument("--level", choices=[level.value for level in Level], help="Only this level")
        parser.add_argument("--output", type=Path, metavar="FILE", help="Write here instead of standard output")

    def handle(self, *args: object, **options: Any) -> None:
        rows = aggregate_rows(period=options["period"], level=options["level"])
        write = write_json if options["format"] == "json" else write_csv
        output: Path | None = options["output"]
        if output is None:
            # OutputWrapper adds a newline to every write call: hand it the whole text at once.
            text = io.StringIO()
            write(rows, text)
            self.stdout.write(text.getvalue(), ending="")
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            write(rows, handle)
        self.stderr.write(f"Wrote {len(rows)} figures to {output}")
