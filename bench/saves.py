"""`python -m bench.saves`: how long each kind of save takes, and how soon the dashboards show it (issue 13).

Prints figures; not a test. For each set-up, in a process of its own (settings are read once per process):

- **embedded**: the README's `make run` with no environment: a fresh SQLite file, no Redis, so Celery is
  eager and a save's KPI drain runs in the process's background thread after the response
  (`kpis.background`).
- **postgres**: PostgreSQL (a database of its own whose name contains "bench") and Redis (REDIS_URL, default
  that of the environment), with a real Celery worker started for the run: a save's drain is a Celery task.

Each set-up: migrate, the demo network and data as `make run` loads them (`seed_demo` 5 years, POP, aims,
`compute_kpis`, `seed_training`), then `--saves` timed saves of each kind through the real views with
Django's test client, signed in as the demo nurse: a new case, a case section (htmx), a temperature reading
(htmx), a family-log contact and a training session. The time is server time: from the request to the
response in the process, including every query and the template, excluding a network; beside it the
request thread's CPU time (`time.thread_time`) and how long its `BEGIN IMMEDIATE` waited for SQLite's write
lock, and the load average before and after (the machine may be shared). Then one more
section save that changes a KPI outcome (cooling start moved past 6 hours), and the seconds until the stored
figures show it (the dashboards read only stored figures: `kpis.models.CaseOutcome` / `KpiAggregate`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

KINDS = ("case", "section", "temperature", "family log", "training")
LIMIT_MS = 300.0
FRESH_WITHIN_S = 15.0
ROOT = Path(__file__).resolve().parent.parent


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.saves", description=__doc__.splitlines()[0])
    parser.add_argument("--setup", choices=("embedded", "postgres", "both"), default="both")
    parser.add_argument("--saves", type=int, default=12, help="timed saves of each kind (default %(default)s)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.5,
        help="seconds between two saves, as a nurse moves from one field to the next (default %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="the postgres set-up's database; its name must contain 'bench' "
        "(default: DATABASE_URL's server, database pathway_saves_bench)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases (a SQLite file in the temporary folder, the PostgreSQL database) and reuse their "
        "demo data on the next run",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- The parent: one child process per set-up, then the table ------------------------------------------------


def _postgres_url(given: str) -> str:
    """The given URL, else DATABASE_URL's server with the database `pathway_saves_bench`."""
    if given:
        return given
    from urllib.parse import urlsplit, urlunsplit

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return "postgres://postgres@127.0.0.1:5432/pathway_saves_bench"
    return urlunsplit(urlsplit(base)._replace(path="/pathway_saves_bench"))


def _run_child(setup: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "OTP_REQUIRED": "false",
        "CACHE_URL": "",
        "KPIS_WARM_CHARTS": "false",
    }
    if setup == "embedded":
        env.update(DATABASE_URL=f"sqlite:///{workdir / 'bench_saves.sqlite3'}", REDIS_URL="")
    else:
        from bench import database

        url = _postgres_url(args.database_url)
        database.prepare(url, keep=args.keep)
        env.update(DATABASE_URL=url, REDIS_URL=args.redis_url)
    command = [
        sys.executable,
        "-m",
        "bench.saves",
        "--child",
        "--setup",
        setup,
        "--saves",
        str(args.saves),
        "--think",
        str(args.think),
    ]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"The {setup} set-up failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"{'set-up':<10} {'save':<12} {'n':>3} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'cpu ms':>7} "
        f"{'lock wait median/max ms':>24}  p95 ≤ 300 ms"
    ]
    for setup, result in results.items():
        for kind in KINDS:
            times, waits = result["saves"][kind], result["lock_wait"][kind]
            p95 = _percentile(times, 95)
            wait = f"{statistics.median(waits):.1f} / {max(waits):.1f}"
            lines.append(
                f"{setup:<10} {kind:<12} {len(times):>3} {statistics.median(times):>10.1f} {p95:>8.1f} "
                f"{max(times):>8.1f} {statistics.median(result['cpu'][kind]):>7.1f} {wait:>24}  "
                f"{'yes' if p95 <= LIMIT_MS else 'NO'}"
            )
        fresh = result["fresh_s"]
        verdict = "yes" if fresh is not None and fresh <= FRESH_WITHIN_S else "NO"
        shown = f"{fresh:.1f} s" if fresh is not None else "never"
        lines.append(
            f"{setup:<10} dashboards show a save after {shown} (within {FRESH_WITHIN_S:.0f} s: {verdict}); "
            f"{result['cases']} demo cases; load average {result['load'][0]:.1f} before, {result['load'][1]:.1f} after"
        )
    return "\n".join(lines)


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    if args.child:
        print(json.dumps(_child(args.setup, args.saves, args.think)))
        return
    setups = ("embedded", "postgres") if args.setup == "both" else (args.setup,)
    results = {}
    kept = Path(tempfile.gettempdir()) / "pathway-bench-saves"
    with tempfile.TemporaryDirectory(prefix="bench-saves-") as scratch:
        workdir = kept if args.keep else Path(scratch)
        workdir.mkdir(exist_ok=True)
        for setup in setups:
            print(f"{setup}: loading the demo data and timing {args.saves} saves of each kind…", flush=True)
            results[setup] = _run_child(setup, args, workdir)
    print(_table(results))


# --- The child: one set-up, in this process --------------------------------------------------------------------


def _child(setup: str, saves: int, think: float) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    quiet = {"verbosity": 0}
    call_command("migrate", "--no-input", **quiet)
    call_command("load_units", **quiet)
    call_command("seed_demo", "--if-empty", **quiet)
    call_command("seed_pop", "--if-empty", **quiet)
    call_command("seed_aims", "--if-empty", **quiet)
    call_command("compute_kpis", **quiet)
    call_command("seed_training", "--seed", "2026", **quiet)
    worker = _start_worker() if setup == "postgres" else None
    try:
        return _measure(saves, think)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _start_worker() -> subprocess.Popen[bytes]:
    """A Celery worker of this process's settings (same database and Redis), answering before we go on."""
    from config.celery import app

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return worker
    worker.terminate()
    raise SystemExit("The Celery worker did not answer within 60 s")


def _measure(saves: int, think: float) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from pathway.models import Case

    client = Client()
    nurse = _nurse()
    client.force_login(nurse)
    cases = list(
        Case.objects.filter(
            entered_in_error=False, therapeutic_hypothermia="yes", referral_datetime__isnull=False
        ).order_by("-birth_datetime")[: saves + 1]
    )
    timed: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    waited: dict[str, list[float]] = {kind: [] for kind in KINDS}
    lock = _LockWait()
    makers: dict[str, Callable[[int], tuple[str, dict[str, Any], dict[str, str]]]] = {
        "case": _new_case,
        "section": lambda i: _section(cases[i], i),
        "temperature": lambda i: _reading(cases[i], i),
        "family log": lambda i: _contact(cases[i]),
        "training": _training,
    }
    # One untimed save of each kind first: the first request of a process loads templates and URL patterns.
    for kind in KINDS:
        url, data, headers = makers[kind](saves)
        client.post(url, data, headers=headers)
    load_before = os.getloadavg()[0]
    with connection.execute_wrapper(lock):
        for i in range(saves):
            for kind in KINDS:
                url, data, headers = makers[kind](i)
                lock.waited = 0.0
                started, cpu_started = time.perf_counter(), time.thread_time()
                response = client.post(url, data, headers=headers)
                timed[kind].append((time.perf_counter() - started) * 1000)
                cpu[kind].append((time.thread_time() - cpu_started) * 1000)
                waited[kind].append(lock.waited * 1000)
                time.sleep(think)
                if response.status_code not in (200, 302):
                    raise SystemExit(f"{kind} save answered {response.status_code}: {response.content[:500]!r}")
    return {"saves": timed, "cpu": cpu, "lock_wait": waited, "fresh_s": _freshness(client),
            "cases": Case.objects.count(), "load": [load_before, os.getloadavg()[0]]}


class _LockWait:
    """Times the request's `BEGIN IMMEDIATE` statements (SQLite): how long a save waited for the database's
    write lock, which the background KPI drain may hold. PostgreSQL has no such statement: 0."""

    def __init__(self) -> None:
        self.waited = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.startswith("BEGIN"):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.waited += time.perf_counter() - started


def _nurse() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="nurse")


def _section_payload(case: Any, slug: str) -> dict[str, Any]:
    """What the section form shows for the case, as the browser would post it back."""
    from pathway.forms import SECTION_FORMS

    form = SECTION_FORMS[slug](user=_nurse(), case=case)
    data: dict[str, Any] = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else bound.prepare_value(value)
        if isinstance(data[name], (list, tuple)):
            continue
        data[name] = form[name].field.widget.format_value(data[name]) or ""
    return data


def _section(case: Any, i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    from core.timeutil import format_for_input

    slug = _slug_of("referral_datetime")
    case.refresh_from_db()
    data = _section_payload(case, slug)
    # Move the referral a minute either way: a real change, kept inside the pathway's time ordering.
    data["referral_datetime"] = format_for_input(case.referral_datetime + timedelta(minutes=1 if i % 2 else -1))
    return f"/cases/{case.pk}/section/{slug}/", data, {"HX-Request": "true"}


def _new_case(i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    from django.utils import timezone

    from core.timeutil import format_for_input
    from units.models import Unit

    centre = Unit.objects.filter(is_cooling_centre=True).order_by("ods_code").first()
    born = timezone.now() - timedelta(hours=3, minutes=i)
    return (
        "/cases/new/",
        {
            "case_ref": f"BENCH-{os.getpid()}-{i:04d}",
            "birth_datetime": format_for_input(born),
            "sex": "female",
            "gestation_weeks": "39",
            "gestation_days": "2",
            "birth_weight_g": "3300",
            "multiple_birth": "no",
            "birth_unit": str(centre.pk if centre else ""),
        },
        {},
    )


def _reading(case: Any, i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    from core.timeutil import format_for_input

    moment = case.birth_datetime + timedelta(hours=30, minutes=7 * i + 1)
    return (
        f"/cases/{case.pk}/temperatures/",
        {"observed_at": format_for_input(moment), "temp_c": "33.5", "site": "rectal"},
        {"HX-Request": "true"},
    )


def _contact(case: Any) -> tuple[str, dict[str, Any], dict[str, str]]:
    from django.utils import timezone

    return (
        f"/families/cases/{case.pk}/contacts/",
        {
            "contact-contacted_on": f"{timezone.localdate():%d/%m/%Y}",
            "contact-by_name": "Bench Nurse",
            "contact-mode": "phone",
            "contact-note": "Benchmark contact",
        },
        {},
    )


def _training(i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    from django.utils import timezone

    from training import access
    from training.models import StaffRole

    unit = access.recordable_units(_nurse()).order_by("ods_code").first()
    data: dict[str, Any] = {
        "unit": str(unit.pk if unit else ""),
        "date": f"{timezone.localdate():%d/%m/%Y}",
        "trainer": "Bench Trainer",
        "format": "simulation",
        "notes": f"bench {i}",
    }
    data.update({f"headcount_{role.value}": "3" for role in StaffRole})
    return "/training/sessions/new/", data, {}


def _freshness(client: Any) -> float | None:
    """Seconds from a save's response until the stored figures show it, or None if not within 60 s.

    The save moves an outborn baby's arrival temperature into or out of 33.0–34.0 °C, which flips the case's
    `arrival_temp_in_range` outcome; the figures show it once the drain has run."""
    from django.db.models import F

    from kpis import background
    from kpis.models import CaseOutcome
    from pathway import standards
    from pathway.models import Case

    background.wait_idle(timeout=120)
    case = (
        Case.objects.filter(entered_in_error=False, therapeutic_hypothermia="yes", arrival_temp_c__isnull=False)
        .exclude(birth_unit=F("cooling_centre"))
        .order_by("-birth_datetime")
        .first()
    )
    if case is None:
        raise SystemExit("No outborn cooled case with an arrival temperature in the demo data")
    slug = _slug_of("arrival_temp_c")
    data = _section_payload(case, slug)
    now_in_range = standards.in_target(case.arrival_temp_c)
    data["arrival_temp_c"] = "35.2" if now_in_range else str(standards.TARGET_SET_POINT_C)
    expected = "not_met" if now_in_range else "met"
    response = client.post(f"/cases/{case.pk}/section/{slug}/", data, headers={"HX-Request": "true"})
    saved = time.perf_counter()
    if response.status_code != 200 or b"nhsuk-error-message" in response.content:
        raise SystemExit(f"The freshness save was refused: {response.content[:800]!r}")
    while time.perf_counter() - saved < 60:
        if CaseOutcome.objects.filter(case=case, kpi="arrival_temp_in_range", outcome=expected).exists():
            return time.perf_counter() - saved
        time.sleep(0.1)
    return None


def _slug_of(field: str) -> str:
    from pathway.sections import SECTION_OF_FIELD

    return SECTION_OF_FIELD[field].slug


if __name__ == "__main__":
    main()
