"""`python -m bench.reports`: how long a board report takes on the demo data. Prints figures; not a test.

Steps: a separate PostgreSQL database (name containing "bench") → migrate → the demo data as `make run`
makes it (units, about 520 HIE cases, about 4,800 POP records, KPIs, training) → a network report of the
whole programme for the newest complete year → timings, server time only (Django's test client, no network):

- with nothing drawn ahead (no worker): the draft preview's and the draft PDF's first view, each from an
  empty cache (every chart drawn on the request, and for the PDF turned into a picture);
- the worker drawing the draft's charts and pictures ahead (`reporting.charts.prepare`, as after a KPI run or
  on saving the draft), then the draft preview page, the first time and `--repeats` times;
- the draft PDF laid out on the request (charts drawn ahead, no PDF made yet), then again with the same
  figures (laid out once per page, `reporting.render.pdf_bytes`), and after the worker has laid it out ahead
  (`reporting.charts.prepare(with_pdf=True)`, as when a draft is saved); the draft spreadsheet and CSV, each
  as the background job makes it;
- publishing (the snapshot), the published preview, and the published PDF's, spreadsheet's and CSV's first
  download (made and kept) and later ones (the kept file).

The cache is the process's own memory, as in development; with `CACHE_URL` (Redis) charts are remembered
across processes too. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pathway_bench_reports"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="bench database; its name must contain 'bench' (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database and its demo data if present")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats after the first (default 5)")
    return parser.parse_args(argv)


CPU: list[float] = []  # the process's CPU seconds of each timed job, in order: load on a shared machine
# stretches the wall time, not this


def _seconds(job: Callable[[], Any]) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    job()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - started


def _forget_pdfs() -> None:
    """No PDF remembered (the charts stay): the next PDF is laid out on the request."""
    from django.core.cache import cache

    store = getattr(cache, "_cache", {})
    for key in [k for k in store if "memo:reporting.pdf:" in k]:
        cache.delete(key.split(":", 2)[2])


def _seed() -> None:
    from django.core.management import call_command

    from pathway.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not Case.objects.exists():
        for command in (["load_units"], ["seed_demo", "--if-empty"], ["seed_pop", "--if-empty"], ["compute_kpis"],
                        ["seed_training"]):
            call_command(*command, verbosity=0)
    print(f"· demo data: {Case.objects.count()} cases ({time.perf_counter() - started:.1f} s)", flush=True)


def _export(report: Any, kind: str, lead: Any) -> float:
    """The job as a download starts it: outside a transaction and with no broker, Celery runs it inline."""
    from reporting import services
    from reporting.models import ExportJob

    started, cpu = time.perf_counter(), time.process_time()
    services.export_job_start(kind=kind, by=lead, report=report)
    seconds = time.perf_counter() - started
    CPU.append(time.process_time() - cpu)
    job = ExportJob.objects.latest("id")
    if job.status != job.Status.SUCCEEDED:
        raise SystemExit(f"The {kind} export failed: {job.error}")
    return seconds


def _forget_charts() -> None:
    """An empty cache: no chart, picture or page remembered, and no chart parsed by WeasyPrint."""
    from django.core.cache import cache

    from reporting import render

    cache.clear()
    render._IMAGE_CACHE.clear()


def _cold(job: Callable[[], Any]) -> float:
    _forget_charts()
    return _seconds(job)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    print(f"· {database.prepare(args.database_url, keep=args.keep)}", flush=True)
    database.start_django(args.database_url)  # nothing Django-related may be imported above
    _seed()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from bench.measure import network_lead
    from kpis import dashboard
    from reporting import charts, services

    settings.MEDIA_ROOT = "/tmp/pathway-bench-reports-media"
    lead = network_lead()
    year = dashboard.available_periods()["year"][1].key  # the newest complete calendar year
    report = services.board_report_create(values={"title": "Bench board report", "level": "network",
                                                  "period_key": f"FY{int(year) - 1}"}, by=lead)
    client = Client()
    client.force_login(lead)
    preview = reverse("reporting:preview", args=[report.pk])

    def page() -> None:
        response = client.get(preview)
        assert response.status_code == 200, response.status_code

    rows: list[tuple[str, float, float, float | None]] = []

    def row(name: str, first: float, then: float | None = None, at: int = -1) -> None:
        rows.append((name, first, CPU[at], then))

    row("preview, none drawn ahead", _cold(page))
    row("PDF, none drawn ahead", _cold(lambda: _export(report, "report_pdf", lead)))
    _forget_charts()
    row("charts drawn ahead (worker)", _seconds(lambda: charts.prepare(report)))
    first = _seconds(page)
    at = len(CPU) - 1
    row("draft preview page", first, statistics.median(_seconds(page) for _ in range(args.repeats)), at)
    first = _export(report, "report_pdf", lead)
    at = len(CPU) - 1
    row("draft PDF, laid out on request", first, statistics.median(
        _export(report, "report_pdf", lead) for _ in range(max(1, args.repeats // 2))), at)
    _forget_pdfs()
    row("PDF laid out ahead (worker)", _seconds(lambda: charts.prepare(report, with_pdf=True)))
    row("draft PDF, laid out ahead", _export(report, "report_pdf", lead))
    row("draft spreadsheet", _export(report, "report_xlsx", lead))
    row("draft CSV", _export(report, "report_csv", lead))
    report.refresh_from_db()
    row("publish (snapshot)", _seconds(lambda: services.board_report_publish(
        report=report, by=lead, expected_version=report.version)))
    report.refresh_from_db()
    first = _seconds(page)
    at = len(CPU) - 1
    row("published preview page", first, statistics.median(_seconds(page) for _ in range(args.repeats)), at)
    _forget_pdfs()
    first = _export(report, "report_pdf", lead)
    at = len(CPU) - 1
    _forget_pdfs()
    row("published PDF (kept file)", first, _export(report, "report_pdf", lead), at)
    for name, kind in (("published spreadsheet (kept)", "report_xlsx"), ("published CSV (kept)", "report_csv")):
        first = _export(report, kind, lead)
        at = len(CPU) - 1
        row(name, first, statistics.median(_export(report, kind, lead) for _ in range(max(1, args.repeats // 2))),
            at)
    snapshot = report.snapshot or {}
    print(f"\nBoard report of the whole programme, network, {report.period_label} "
          f"({len(snapshot['charts'])} charts, {len(snapshot['layout']['rows'])} figure rows):")
    print(f"  load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  {'what':<32} {'first':>8} {'first CPU':>10} {'then (median)':>14}")
    for name, once, cpu, then in rows:
        print(f"  {name:<32} {once:>7.2f}s {cpu:>9.2f}s {'' if then is None else f'{then:.2f}s':>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
