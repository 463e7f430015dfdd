"""python manage.py bench_export --rows 300000: time and peak memory of the background case CSV export.

Makes the rows if the database has fewer current cases (bulk inserts inside a transaction that is rolled
back at the end, so nothing is left behind), then runs exactly the writer the export job uses and prints
the time, the rows written and the peak resident memory of the export alone. Linux resets the peak
(`/proc/self/clear_refs`) before the export, so making the rows does not count.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from pathway import csv_io
from pathway.models import Case
from reporting import render
from units.models import Unit
from units.services import network_load_reference

BATCH = 5000


class _Rollback(Exception):
    pass


def _peak_rss_kb() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _make_cases(count: int) -> None:
    """Plain valid rows straight into the table (a benchmark fixture: no services, no audit, rolled back)."""
    if not Unit.objects.exists():
        network_load_reference()
    unit, centre = Unit.objects.exclude(is_cooling_centre=True).first(), Unit.objects.filter(
        is_cooling_centre=True).first()
    start = timezone.now() - timedelta(days=5 * 365)
    for first in range(0, count, BATCH):
        Case.objects.bulk_create([
            Case(case_ref=f"BENCH{i:07d}", birth_datetime=start + timedelta(minutes=7 * i), sex="female",
                 gestation_weeks=39, gestation_days=1, birth_weight_g=3200, birth_unit=unit, cooling_centre=centre,
                 therapeutic_hypothermia="yes", passive_cooling_start=start + timedelta(minutes=7 * i + 40))
            for i in range(first, min(first + BATCH, count))])


class Command(BaseCommand):
    help = "Time the background case CSV export and print its peak memory (RSS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=300_000)

    def handle(self, *args: Any, rows: int, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._bench(rows)
                raise _Rollback
        except _Rollback:
            pass

    def _bench(self, rows: int) -> None:
        existing = Case.objects.current().count()
        if existing < rows:
            self.stdout.write(f"Making {rows - existing} benchmark cases (rolled back afterwards)…")
            _make_cases(rows - existing)
        cases = csv_io.export_queryset(Case.objects.all())  # every case: what a network-wide exporter gets
        baseline = _peak_rss_kb()
        exact = _reset_peak()
        before = _peak_rss_kb()
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            written = render.write_cases_csv(cases, out, identifiable=False)
            seconds = time.perf_counter() - started
            size = out.tell()
        peak = _peak_rss_kb()
        self.stdout.write(f"rows written: {written}")
        self.stdout.write(f"file size: {size / 1e6:.1f} MB")
        self.stdout.write(f"time: {seconds:.1f} s ({written / seconds:,.0f} rows/s)" if seconds else "time: 0 s")
        self.stdout.write(f"peak RSS during export: {peak / 1024:.1f} MB "
                          f"({'reset before the export' if exact else 'process peak; includes making rows'}; "
                          f"RSS before: {before / 1024:.1f} MB, process peak before: {baseline / 1024:.1f} MB)")
