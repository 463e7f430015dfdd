"""`python -m bench.kpis`: the KPI engine at national scale (issue 3 item 6). Prints figures; not a test.

Steps: a separate PostgreSQL database → migrate → ~150 units and ~20,000 cooled babies over 5 years →
(a) full recompute with `kpis.services.compute` → (b) dashboard pages as a network lead → (c) one
hand-written SQL aggregate of `cooling_started_6h`, timed and checked against the stored figures.
Writes the final table to bench/results/latest.json. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from bench import database

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SLOW_SECONDS = 300
HEAVY_MB = 1536


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.kpis", description=__doc__.splitlines()[0])
    parser.add_argument("--babies", type=int, default=20_000, help="cooled (TH) babies to generate")
    parser.add_argument("--units", type=int, default=150, help="units in all (30%% cooling centres)")
    parser.add_argument("--networks", type=int, default=1,
                        help="networks the units are dealt round, in two regions, with trusts, ICBs and LMNS "
                             "(issue 18: --networks 10 is 10 × 15 units)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.add_argument("--database-url", default=database.DEFAULT_URL,
                        help="bench database; its name must contain 'bench' (default %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and its cases if present (skip generation), else create it")
    parser.add_argument("--validate-sample", type=int, default=200, help="cases given full field validation")
    parser.add_argument("--profile", action="store_true", help="run the recompute under cProfile (top 15)")
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/latest.json")
    return parser.parse_args(argv)


def _step(text: str) -> None:
    print(f"· {text}", flush=True)


def _timed(label: str, job: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = job()
    seconds = time.perf_counter() - started
    _step(f"{label}: {seconds:.1f} s")
    return result, seconds


# --- data -----------------------------------------------------------------------------------------------


def _generate(args: argparse.Namespace, as_of: date) -> dict[str, Any]:
    from bench import synthetic

    units, t_units = _timed(f"created {args.units} units in {args.networks} network(s)",
                            lambda: synthetic.create_units(args.units, args.networks))
    rows, t_draw = _timed("drew case values (pathway.demo)",
                          lambda: synthetic.draw(babies=args.babies, seed=args.seed, as_of=as_of, units=units))
    edges = synthetic.add_edge_cases(rows, seed=args.seed)
    _step(f"made {edges} cooled babies into cross-check edge cases (no cooling start, or exactly 6 h / 6 h 1 min)")
    cases, t_build = _timed("built Case rows", lambda: synthetic.build(rows))
    checked, t_check = _timed("validated (hard rules on all, field validation on a sample)",
                              lambda: synthetic.validate(cases, sample=args.validate_sample, seed=args.seed))
    _, t_insert = _timed(f"inserted {len(cases)} cases", lambda: synthetic.insert(cases))
    return {"generated": True, "seconds": t_units + t_draw + t_build + t_check + t_insert,
            "draw_seconds": t_draw, "validate_seconds": t_check, "insert_seconds": t_insert,
            "fully_validated_sample": checked, "edge_cases": edges}


def _data_summary() -> dict[str, Any]:
    from pathway.models import Case
    from units.models import Network, Unit

    cases = Case.objects.all()
    births = cases.order_by("birth_datetime").values_list("birth_datetime", flat=True)
    first, last = births.first(), births.last()
    assert first is not None and last is not None  # the bench has seeded its cases
    return {
        "units": Unit.objects.count(), "cooling_centres": Unit.objects.filter(is_cooling_centre=True).count(),
        "networks": Network.objects.count(),
        "cases": cases.count(), "th_babies": cases.filter(therapeutic_hypothermia="yes").count(),
        "first_birth": str(first.date()), "last_birth": str(last.date()),
    }


# --- machine --------------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _machine() -> dict[str, Any]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return {"cpus": os.cpu_count(), "cpu_model": _cpu_model(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "django": django.get_version(), "postgresql": pg_version, "platform": platform.platform()}


# --- report ---------------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def _phases(phases: dict[str, float], total: float) -> str:
    if not phases:
        return "n/a (the run's steps were renamed)"
    parts = [f"{name} {seconds:.1f} s" for name, seconds in phases.items()]
    rest = total - sum(phases.values())
    return "; ".join([*parts, f"other {rest:.1f} s"])


def _page_line(page: Any) -> tuple[str, str]:
    if not page.ok:
        what = page.error or f"HTTP {page.status}"
        return f"Dashboard {page.name}", f"NOT MEASURED ({what})"
    return (f"Dashboard {page.name}",
            f"{_fmt(page.median_ms, ' ms', 1)} median of {len(page.warm_ms)} warm, {page.queries} queries "
            f"(cold {_fmt(page.cold_ms, ' ms')}, {page.cold_queries} queries)")


def _table(r: dict[str, Any]) -> list[tuple[str, str]]:
    d, c, s, m = r["data"], r["compute"], r["sql"], r["machine"]
    peak = f"{_fmt(c['peak_rss_mb'], ' MB')}" + ("" if c["peak_is_job_only"] else " (whole process)")
    lines = [
        ("Data", f"{d.get('networks', 1)} network(s), {d['units']} units ({d['cooling_centres']} cooling centres), "
                 f"{d['cases']:,} cases, "
                 f"{d['th_babies']:,} TH babies, births {d['first_birth']} → {d['last_birth']}"),
        ("Generation (draw + validate + insert)", _fmt(r["generation"].get("seconds"), " s", 1)),
        ("KPI full recompute", f"{_fmt(c['seconds'], ' s', 1)} ({c['status']}), "
                               f"{_fmt(c.get('cpu_seconds'), ' s', 1)} CPU in this process (PostgreSQL's not counted)"),
        ("Recompute by step", _phases(c["phases"], c["seconds"])),
        ("Rows written", f"{c['aggregate_rows']:,} KpiAggregate + {c['case_outcome_rows']:,} CaseOutcome"),
        ("Peak RSS during recompute", f"{peak} (RSS before {_fmt(c['rss_before_mb'], ' MB')})"),
    ]
    lines += [_page_line(p) for p in r["pages"]]
    visit = r["first_visit"]
    lines += [("After the full run, the job prepares the overview and draws the charts it links to",
               _fmt(visit["full_warm_seconds"], " s", 1)),
              ("One case changed: its periods' run, then the job (overview, and the charts whose figures changed)",
               f"{_fmt(visit['run_seconds'], ' s', 1)}, then {_fmt(visit['warm_seconds'], ' s', 1)}")]
    lines += [(f"First visitor: {p.name}", f"{_fmt(p.cold_ms, ' ms')} ({p.cold_queries} queries), then "
               f"{_fmt(p.median_ms, ' ms', 1)} warm") for p in visit["pages"]]
    lines += [
        ("Hand SQL cooling_started_6h", f"{_fmt(s['median_ms'], ' ms', 1)} median of {s['repeats']} "
                                        f"(first {_fmt(s['first_ms'], ' ms', 1)}), {s['groups']} unit-years"),
        ("KPI job ÷ SQL", f"{_fmt(s['ratio'], '×')}"),
        ("Cross-check vs KpiAggregate", r["crosscheck"]["verdict"]),
        ("Machine", f"{m['cpus']} CPUs ({m['cpu_model']}), Python {m['python']}, Django {m['django']}, "
                    f"PostgreSQL {m['postgresql']}"),
        ("Load average at the end (1, 5, 15 min)", ", ".join(str(x) for x in m.get("load_average", []))),
    ]
    return lines


def _print_table(lines: list[tuple[str, str]]) -> None:
    print("\n| figure | value |\n|---|---|")
    for name, value in lines:
        print(f"| {name} | {value} |")


def _write_json(report: dict[str, Any], lines: list[tuple[str, str]]) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({**report, "table": dict(lines)}, indent=2, default=str) + "\n")
    print(f"\nWritten {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


# --- the run --------------------------------------------------------------------------------------------


def _measure(args: argparse.Namespace, as_of: date) -> dict[str, Any]:
    from bench import measure

    _step(f"full KPI recompute as of {as_of} …")
    compute = measure.recompute(as_of=as_of, profile=args.profile)
    _step(f"recompute: {compute.seconds:.1f} s, {compute.aggregate_rows:,} aggregate rows, "
          f"peak RSS {compute.peak_rss_mb:,.0f} MB")
    if compute.profile:
        print(compute.profile)
    period, unit = measure.latest_period(), measure.busiest_birth_unit()
    _step(f"dashboard pages for period {period}, unit {unit} …")
    pages = measure.dashboard(period=period, unit_ods=unit)
    for page in pages:
        _step(f"{page.url}: " + (f"{page.median_ms:.1f} ms, {page.queries} queries" if page.ok
                                 else f"NOT MEASURED: {page.error or f'HTTP {page.status}'}"))
    _step("the first visitor after a KPI run …")
    first = measure.first_visitor()
    _step(f"run {first.run_seconds:.1f} s, overview prepared in {first.warm_seconds:.1f} s; first visits: "
          + ", ".join(f"{p.name} {_fmt(p.cold_ms, ' ms')}" for p in first.pages)
          + f"; after the full run the job drew every linked chart in {first.full_warm_seconds:.1f} s")
    sql = measure.hand_sql()
    diffs = measure.differences(sql.counts, measure.stored_counts())
    verdict = (f"MATCH ({sql.groups} unit-years; numerator {sum(v[0] for v in sql.counts.values()):,}, "
               f"denominator {sum(v[1] for v in sql.counts.values()):,}, "
               f"missing {sum(v[2] for v in sql.counts.values()):,})" if not diffs
               else f"MISMATCH in {len(diffs)} unit-years")
    _step(f"hand SQL: {sql.median_ms:.1f} ms; cross-check {verdict}")
    for line in diffs[:25]:
        print(f"    {line}")
    return {
        "compute": {k: v for k, v in asdict(compute).items() if k != "profile"},
        "pages": pages,
        "first_visit": {"run_seconds": first.run_seconds, "warm_seconds": first.warm_seconds,
                        "full_warm_seconds": first.full_warm_seconds, "pages": first.pages},
        "sql": {"first_ms": sql.first_ms, "median_ms": sql.median_ms, "repeats": measure.SQL_REPEATS,
                "groups": sql.groups, "ratio": compute.seconds / (sql.median_ms / 1000) if sql.median_ms else None},
        "crosscheck": {"verdict": verdict, "differences": diffs},
        "period": period, "unit_page_ods": unit,
    }


def _warn_if_heavy(compute: dict[str, Any]) -> None:
    if compute["seconds"] > SLOW_SECONDS or compute["peak_rss_mb"] > HEAVY_MB:
        print(f"\nThe recompute exceeded {SLOW_SECONDS} s or {HEAVY_MB} MB: run again with --keep --profile "
              "to see where the time goes.")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    _step(database.prepare(args.database_url, keep=args.keep))
    # Django starts only now, on the bench database: nothing Django-related may be imported above.
    database.start_django(args.database_url)
    from django.core.management import call_command
    from django.utils import timezone

    from pathway.models import Case

    _timed("migrate", lambda: call_command("migrate", verbosity=0, interactive=False))
    as_of = timezone.localdate()
    if args.keep and Case.objects.exists():
        _step(f"--keep: reusing the {Case.objects.count():,} cases already in the bench database")
        generation: dict[str, Any] = {"generated": False, "seconds": None}
    else:
        generation = _generate(args, as_of)
    report: dict[str, Any] = {
        "parameters": {"babies": args.babies, "units": args.units, "networks": args.networks, "seed": args.seed,
                       "as_of": str(as_of),
                       "keep": args.keep, "profile": args.profile},
        "data": _data_summary(), "generation": generation, **_measure(args, as_of), "machine": _machine(),
    }
    lines = _table(report)
    _print_table(lines)
    _warn_if_heavy(report["compute"])
    if not args.no_json:
        report["pages"] = [{**asdict(p), "median_ms": p.median_ms, "queries": p.queries} for p in report["pages"]]
        report["first_visit"]["pages"] = [asdict(p) for p in report["first_visit"]["pages"]]
        _write_json(report, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
