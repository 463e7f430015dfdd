"""`python -m bench.period`: the KPI run that follows one saved case, on the demo data. Prints figures; not a test.

A save queues a recompute of the case's periods only (kpis.services, "Queueing"). This times that run,
`kpis.services.compute(periods=...)` for the newest demo case, the way the drain calls it. Steps: a separate
PostgreSQL database (name containing "bench") → migrate → `seed_demo` (about 520 cases over 5 years, each
through the pathway services) → one warm-up run → `--repeats` timed runs. See bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

from bench import database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pathway_bench_period"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.period", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="bench database; its name must contain 'bench' (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database and its demo cases if present")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after the warm-up (default 5)")
    return parser.parse_args(argv)


def _timed_run(keys: list[str], as_of: Any) -> tuple[float, dict[str, float], int]:
    from bench.measure import phase_timers
    from kpis import services
    from kpis.models import CaseOutcome

    phases: dict[str, float] = {}
    started = time.perf_counter()
    with phase_timers(phases):
        run = services.compute(periods=keys, as_of=as_of)
    seconds = time.perf_counter() - started
    if run.status != run.Status.SUCCEEDED:
        raise SystemExit(f"The run did not succeed: {run.error}")
    outcomes = CaseOutcome.objects.filter(as_of=as_of, updated_at__gte=run.started_at).count()
    return seconds, phases, run.rows_written + outcomes


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    print(f"· {database.prepare(args.database_url, keep=args.keep)}", flush=True)
    database.start_django(args.database_url)  # nothing Django-related may be imported above
    from django.core.management import call_command
    from django.utils import timezone

    from kpis import services
    from pathway.models import Case

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("seed_demo", "--if-empty", verbosity=0)
    print(f"· demo data: {Case.objects.count()} cases ({time.perf_counter() - started:.1f} s)", flush=True)
    as_of = timezone.localdate()
    newest = Case.objects.current().order_by("-birth_datetime").first()
    if newest is None:
        raise SystemExit("The demo data holds no cases.")
    keys = [p.key for p in services.periods_for_case(newest, as_of)]
    # As after one save: only the newest case was saved recently. The demo cases were all written a moment
    # ago, so without this every run would re-read all of them under the write lock (`_refresh_changed`).
    Case.objects.exclude(pk=newest.pk).update(updated_at=timezone.now() - timedelta(days=1))
    _timed_run(keys, as_of)  # warm-up: imports, first queries
    runs = [_timed_run(keys, as_of) for _ in range(args.repeats)]
    seconds = [s for s, _, _ in runs]
    phases = {name: statistics.median(p.get(name, 0.0) for _, p, _ in runs) for name in runs[0][1]}
    print(f"\nPer-period run for case {newest.pk} (periods {', '.join(keys)}), {runs[0][2]:,} rows written:")
    print(f"  median {statistics.median(seconds):.3f} s of {len(seconds)} (min {min(seconds):.3f} s, "
          f"max {max(seconds):.3f} s)")
    for name, value in phases.items():
        print(f"  {name}: {value:.3f} s (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
