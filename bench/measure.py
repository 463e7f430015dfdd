"""The three measurements: the full KPI recompute, the dashboard pages, and one hand-written SQL aggregate
that recounts `cooling_started_6h` per birth unit per year to check the engine's stored figures."""

from __future__ import annotations

import cProfile
import functools
import io
import pstats
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis import aggregate, services
from kpis.models import CaseOutcome, KpiAggregate
from pathway.models import Case
from units.models import Membership, Role, Unit

KPI = "cooling_started_6h"
WARM_REQUESTS = 5
SQL_REPEATS = 5
_CLEAR_REFS = Path("/proc/self/clear_refs")


# --- (a) the full recompute ------------------------------------------------------------------------------


@dataclass
class ComputeResult:
    seconds: float
    run_id: int
    status: str
    aggregate_rows: int
    case_outcome_rows: int
    cases: int
    rss_before_mb: float
    peak_rss_mb: float
    peak_is_job_only: bool  # False when the kernel would not reset the high-water mark
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of the run
    profile: str = ""
    cpu_seconds: float | None = None  # this process's CPU time (time.process_time): steadier on a shared machine


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak_rss() -> bool:
    """Reset the process's peak RSS to its current RSS (Linux ≥ 4.0), so the peak read after the job
    is the job's own, not the data generation's."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _profiled(job: Callable[[], Any]) -> tuple[Any, str]:
    profiler = cProfile.Profile()
    result = profiler.runcall(job)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(15)
    stats.sort_stats("tottime").print_stats(15)
    return result, out.getvalue()


# The steps of a run (kpis.services module docstring) that the bench times, by the name the run calls them
# with. Wrapping them adds one clock read per call, far less than cProfile's doubling of the run time.
PHASES: tuple[tuple[Any, str, str], ...] = (
    (services, "_evaluate_scope", "read + evaluate cases"),
    (services, "_refresh_changed", "re-read changed cases"),
    (aggregate, "figures", "sum figures"),
    (services, "_replace_case_outcomes", "replace CaseOutcome rows"),
    (services, "_replace_aggregates", "replace KpiAggregate rows"),
)


@contextmanager
def phase_timers(seconds: dict[str, float]) -> Iterator[None]:
    """Time each step of the run that still exists under its name (the engine is being changed by others:
    a renamed step is left out of the breakdown, never an error)."""
    originals = [(module, name, getattr(module, name)) for module, name, _ in PHASES if hasattr(module, name)]
    labels = {name: label for _, name, label in PHASES}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[labels[name]] = seconds.get(labels[name], 0.0) + time.perf_counter() - started
        return wrapper

    for module, name, function in originals:
        setattr(module, name, timed(name, function))
    try:
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def recompute(*, as_of: date, profile: bool) -> ComputeResult:
    before = _rss_mb()
    reset = _reset_peak_rss()
    phases: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    with phase_timers(phases):
        if profile:
            run, report = _profiled(lambda: services.compute(as_of=as_of))
        else:
            run, report = services.compute(as_of=as_of), ""
    seconds = time.perf_counter() - started
    return ComputeResult(cpu_seconds=time.process_time() - cpu_started,
        seconds=seconds, run_id=run.pk, status=run.status, aggregate_rows=run.rows_written,
        case_outcome_rows=CaseOutcome.objects.count(), cases=run.progress_total, rss_before_mb=before,
        peak_rss_mb=_peak_rss_mb(), peak_is_job_only=reset, phases=phases, profile=report)


# --- (b) the dashboard -----------------------------------------------------------------------------------


@dataclass
class PageResult:
    name: str
    url: str
    status: int | None = None
    error: str = ""
    cold_ms: float | None = None
    cold_queries: int | None = None
    warm_ms: list[float] = field(default_factory=list)
    warm_queries: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.warm_ms) if self.warm_ms else None

    @property
    def queries(self) -> int | None:
        return max(self.warm_queries) if self.warm_queries else None


def network_lead() -> Any:
    """A network lead (a network-wide role: sees every unit) to look at the dashboards as."""
    user, _ = get_user_model().objects.get_or_create(username="bench-network-lead")
    unit = Unit.objects.filter(is_cooling_centre=True).order_by("ods_code").first()
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.NETWORK_LEAD)
    return user


def latest_period() -> str:
    """The newest rolling-12-month key stored at network level (the dashboards' default period)."""
    key = (KpiAggregate.objects.filter(level="network", period_type="rolling_12m")
           .order_by("-period_key").values_list("period_key", flat=True).first())
    if key is None:
        raise SystemExit("No network rolling-12-month figures were stored: the KPI run wrote nothing.")
    return key


def busiest_birth_unit() -> str:
    row = (Case.objects.values("birth_unit__ods_code").annotate(n=Count("id"))
           .order_by("-n", "birth_unit__ods_code").first())
    if row is None:
        raise SystemExit("The bench database holds no cases.")
    return str(row["birth_unit__ods_code"])


def _request(client: Client, url: str) -> tuple[int, float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    return response.status_code, elapsed, len(queries.captured_queries)


def page(client: Client, name: str, url: str) -> PageResult:
    """One cold request (templates compiled, charts drawn and cached), then WARM_REQUESTS warm ones.

    The views are being written while this bench is: a 404 or an exception is reported, not raised.
    """
    result = PageResult(name, url)
    try:
        result.status, result.cold_ms, result.cold_queries = _request(client, url)
        if result.status != 200:
            return result
        for _ in range(WARM_REQUESTS):
            status, ms, count = _request(client, url)
            result.status = status
            result.warm_ms.append(ms)
            result.warm_queries.append(count)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def dashboard(*, period: str, unit_ods: str) -> list[PageResult]:
    client = Client()
    client.force_login(network_lead())
    year = timezone.localdate().year - 1
    pages = (("overview", f"/kpis/?period={period}"),
             ("unit page", f"/kpis/unit/{unit_ods}/?period={period}"),
             ("funnel plot", f"/kpis/kpi/{KPI}/funnel/?period={period}"),
             ("units side by side", f"/kpis/compare/?period={period}"),
             ("run chart (network)", f"/kpis/kpi/{KPI}/run/"),
             ("babies since the last breach", f"/kpis/kpi/{KPI}/breaches/"),
             ("overview, dates you choose", f"/kpis/?start=01/01/{year}&end=30/06/{year}"),
             ("definitions", "/kpis/definitions/"))
    return [page(client, name, url) for name, url in (*pages, *_level_pages(period))]


def _level_pages(period: str) -> list[tuple[str, str]]:
    """Issue 18: the overview of one organisation of each level above the unit that has figures, and the
    organisations of a level side by side (trusts, networks)."""
    pages = []
    for level in ("trust", "icb", "region"):
        code = (KpiAggregate.objects.filter(level=level, period_key=period).order_by("org_code")
                .values_list("org_code", flat=True).first())
        if code:
            pages.append((f"overview, one {level}", f"/kpis/?period={period}&level={level}&org={code}"))
    pages += [("trusts side by side", f"/kpis/compare/?period={period}&level=trust"),
              ("networks side by side", f"/kpis/compare/?period={period}&level=network")]
    return pages


# --- (b2) the first visitor after a KPI run -------------------------------------------------------------------


@dataclass
class FirstVisit:
    full_warm_seconds: float  # after the full run, the job drawing every chart the overview links to
    run_seconds: float  # the run after one case changed (its periods, as the drain after a save)
    warm_seconds: float  # that job preparing the overview and drawing the charts whose figures changed
    pages: list[PageResult]  # the first request to each after the run (its `cold_ms`), then warm ones


def first_visitor() -> FirstVisit:
    """As in production with a worker: the job after the full run prepares the overview and draws the charts it
    links to; one case changes and its periods are recomputed (the drain after a save), whose job prepares
    the overview again and draws the charts whose figures changed; then the first visitor opens the overview,
    a funnel plot and a run chart whose figures changed.

    Templates are compiled by a visit before (a web process has long done that), so the first request after
    the run pays only for what the run changed.
    """
    from kpis import overview, pending
    from kpis.periods import periods_for_birth

    client = Client()
    client.force_login(network_lead())
    for url in ("/kpis/", f"/kpis/kpi/{KPI}/funnel/", f"/kpis/kpi/{KPI}/run/"):
        client.get(url)
    inline, pending.celery_runs_inline = pending.celery_runs_inline, lambda: False  # as a worker does
    try:
        full_warm_seconds = _timed_seconds(overview.warm)
        today = timezone.localdate()
        case = _change_a_recent_case(today)
        born = timezone.localtime(case.birth_datetime).date()
        runs: list[Any] = []
        run_seconds = _timed_seconds(lambda: runs.append(
            services.compute(periods=[p.key for p in periods_for_birth(born, today)], as_of=today)))
        warm_seconds = _timed_seconds(lambda: overview.warm(runs[0]))  # what that run changed, as its job does
    finally:
        pending.celery_runs_inline = inline
    pages = (("overview after a run", "/kpis/"), ("funnel plot after a run", f"/kpis/kpi/{KPI}/funnel/"),
             ("run chart after a run", f"/kpis/kpi/{KPI}/run/"))
    return FirstVisit(full_warm_seconds, run_seconds, warm_seconds, [page(client, name, url) for name, url in pages])


def _timed_seconds(job: Callable[[], Any]) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def _change_a_recent_case(today: date) -> Case:
    """A cooled baby born in the last month whose cooling start moves across the 6-hour line (and back, the
    next time), so `cooling_started_6h` changes in the current rolling window; saved as an edit is."""
    from datetime import timedelta

    case = (Case.objects.filter(therapeutic_hypothermia="yes", passive_cooling_start__isnull=False,
                                birth_datetime__date__gte=today - timedelta(days=30)).order_by("-birth_datetime")
            .first())
    if case is None:
        raise SystemExit("No cooled baby born in the last month to change.")
    shift = timedelta(hours=7) if case.passive_cooling_start - case.birth_datetime < timedelta(hours=6) else \
        -timedelta(hours=7)
    Case.objects.filter(pk=case.pk).update(passive_cooling_start=case.passive_cooling_start + shift,
                                           active_cooling_start=None, updated_at=timezone.now())
    return case


# --- (c) the hand-written SQL and the cross-check ---------------------------------------------------------

# kpis.md: cohort TH babies; cooling start = earliest of passive and active (LEAST skips NULLs);
# time zero = collapse, else birth; met ≤ 360 min on exact instants; missing = no cooling start;
# period = Europe/London calendar year of birth. Entered-in-error cases are never counted.
SQL = """
WITH th AS (
    SELECT c.birth_unit_id,
           EXTRACT(year FROM c.birth_datetime AT TIME ZONE 'Europe/London')::int AS year,
           LEAST(c.passive_cooling_start, c.active_cooling_start)
               - COALESCE(c.postnatal_collapse_datetime, c.birth_datetime) AS to_cooling
    FROM {case} c
    WHERE c.therapeutic_hypothermia = 'yes' AND NOT c.entered_in_error
)
SELECT u.ods_code, th.year,
       COUNT(*) FILTER (WHERE th.to_cooling <= INTERVAL '360 minutes') AS numerator,
       COUNT(th.to_cooling) AS denominator,
       COUNT(*) FILTER (WHERE th.to_cooling IS NULL) AS missing
FROM th JOIN {unit} u ON u.id = th.birth_unit_id
GROUP BY u.ods_code, th.year
"""

Counts = dict[tuple[str, str], tuple[int, int, int]]


@dataclass
class SqlResult:
    first_ms: float
    median_ms: float
    groups: int
    counts: Counts


def _run_sql() -> Counts:
    query = SQL.format(case=Case._meta.db_table, unit=Unit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {(ods, str(year)): (num, den, miss) for ods, year, num, den, miss in cursor.fetchall()}


def hand_sql() -> SqlResult:
    timings: list[float] = []
    counts: Counts = {}
    for _ in range(1 + SQL_REPEATS):
        started = time.perf_counter()
        counts = _run_sql()
        timings.append((time.perf_counter() - started) * 1000)
    return SqlResult(first_ms=timings[0], median_ms=statistics.median(timings[1:]), groups=len(counts),
                     counts=counts)


def stored_counts() -> Counts:
    rows = KpiAggregate.objects.filter(kpi=KPI, level="birth_unit", period_type="year").values_list(
        "org_code", "period_key", "numerator", "denominator", "missing")
    return {(org, key): (num, den, miss) for org, key, num, den, miss in rows}


def differences(sql_counts: Counts, stored: Counts) -> list[str]:
    """Unit-years whose (numerator, denominator, missing) differ. A unit-year with only babies who were
    not cooled is stored as (0, 0, 0) and has no SQL row: that is not a difference."""
    zero = (0, 0, 0)
    out = []
    for key in sorted(set(sql_counts) | set(stored)):
        expected, got = sql_counts.get(key, zero), stored.get(key, zero)
        if expected != got:
            out.append(f"{key[0]} {key[1]}: SQL (num, den, missing) {expected} ≠ stored {got}")
    return out
