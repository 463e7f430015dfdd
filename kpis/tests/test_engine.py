"""The KPI engine (kpis.engine) runs any registered producer the same way: the run record, the write lock, success
or failure, listed periods or all of them, and the pending drain. A small producer made here stands in for
HIE, POP and training, whose own tests check their figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection

from kpis import engine, freshness, pending, producers, tasks
from kpis.aggregate import Figure
from kpis.definitions.base import Level
from kpis.models import KpiAggregate, KpiRun, PendingRecompute
from kpis.periods import parse_period_key
from kpis.producers import Job, Producer, Written

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 1, 15)
CODE = "engine_test_figure"


class _Counting(Producer[int]):
    """One network figure per period of 2024: its numerator is what `read` returned."""

    name = "enginet"
    title = "engine test"
    lock_key = 0x54455354
    partial = True

    def __init__(self) -> None:
        self.fail_with: Exception | None = None
        self.locked_in_write: bool | None = None
        self.selected: list[list[str] | None] = []

    def versions(self) -> dict[str, int]:
        return {CODE: 3}

    def read(self, job: Job) -> int:
        job.progress(0, 7)
        return 7

    def write(self, job: Job, read: int) -> Written:
        if self.fail_with is not None:
            raise self.fail_with
        self.locked_in_write = _holds_lock(self.lock_key)
        self.selected.append(None if job.selected is None else [p.key for p in job.selected])
        periods = job.periods(parse_period_key(key).start for key in ("2024-03", "2024-04"))
        figures = [Figure(kpi=CODE, level=Level.NETWORK, org_code="network", period=p, version=job.versions[CODE],
                          numerator=read, denominator=10) for p in periods]
        return Written(rows=job.replace(figures), evaluated=read)


class _Whole(_Counting):
    name = "enginew"
    partial = False


def _holds_lock(key: int) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite has one writer: nothing to take
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                       "AND ((classid::bigint << 32) | objid::bigint) = %s", [key])
        return cursor.fetchone()[0] == 1


@pytest.fixture
def counting() -> Iterator[_Counting]:
    producer = _Counting()
    producers.register(producer)
    yield producer
    producers._REGISTRY.pop(producer.name)


@pytest.fixture
def whole() -> Iterator[_Whole]:
    producer = _Whole()
    producers.register(producer)
    yield producer
    producers._REGISTRY.pop(producer.name)


def test_every_app_registers_its_producer_under_its_own_name() -> None:
    found = {p.name: p for p in producers.registered()}
    assert {"hie", "pop", "training"} <= set(found)
    assert len({p.lock_key for p in found.values()}) == len(found)  # one write lock each
    assert found["training"].partial is False and found["hie"].partial and found["pop"].partial


def test_a_second_producer_may_not_take_a_name(counting: _Counting) -> None:
    producers.register(counting)  # the same one again (a second ready()) is harmless
    impostor = type("Impostor", (_Counting,), {})  # another class under the same name
    with pytest.raises(ValueError, match="already registered"):
        producers.register(impostor())
    with pytest.raises(LookupError, match="No KPI producer named 'nobody'"):
        producers.get("nobody")


def test_a_run_is_recorded_under_its_producer_and_written_under_its_lock(counting: _Counting) -> None:
    run = engine.compute("enginet", as_of=AS_OF)

    assert (run.producer, run.status, run.scope, run.as_of, run.trigger) == ("enginet", "succeeded", "full", AS_OF,
                                                                          "manual")
    # 2024, its first two quarters, the NHS financial years either side of April, March and April, and the
    # rolling windows ending March 2024 .. January 2025.
    keys = ["2024", "2024-Q1", "2024-Q2", "FY2023-24", "FY2024-25", "2024-03", "2024-04",
            *(f"R12-2024-{m:02d}" for m in range(3, 13)), "R12-2025-01"]
    assert (run.definition_versions, run.rows_written, run.progress_done, run.progress_total) == (
        {CODE: 3}, len(keys), 7, 7)
    assert counting.locked_in_write is True
    rows = KpiAggregate.objects.filter(kpi=CODE)
    assert sorted(r.period_key for r in rows) == sorted(keys)
    assert {r.run_id for r in rows} == {run.pk} and {r.numerator for r in rows} == {7}


def test_listed_periods_replace_only_those(counting: _Counting) -> None:
    engine.compute(counting, as_of=AS_OF)
    before = set(KpiAggregate.objects.filter(kpi=CODE).values_list("period_key", "run_id"))

    run = engine.compute(counting, periods=["2024-03"], as_of=AS_OF)

    assert (run.scope, run.period_keys, counting.selected[-1]) == ("periods", ["2024-03"], ["2024-03"])
    after = set(KpiAggregate.objects.filter(kpi=CODE).values_list("period_key", "run_id"))
    assert after == {(key, run.pk if key == "2024-03" else old) for key, old in before}


def test_a_failure_is_recorded_logged_and_raised_and_replaces_nothing(
        counting: _Counting, caplog: pytest.LogCaptureFixture) -> None:
    engine.compute(counting, as_of=AS_OF)
    before = list(KpiAggregate.objects.filter(kpi=CODE).values_list("period_key", "numerator", "run_id"))
    counting.fail_with = ZeroDivisionError("no denominator")

    with pytest.raises(ZeroDivisionError):
        engine.compute(counting, as_of=AS_OF, trigger=KpiRun.Trigger.NIGHTLY)

    failed = KpiRun.objects.filter(producer="enginet").order_by("-id").first()
    assert failed is not None and (failed.status, failed.trigger) == ("failed", "nightly")
    assert failed.error.startswith("ZeroDivisionError: no denominator") and failed.finished_at is not None
    assert "engine test KPI run" in caplog.text and "no denominator" in caplog.text
    assert list(KpiAggregate.objects.filter(kpi=CODE).values_list("period_key", "numerator", "run_id")) == before
    assert freshness.freshness("enginet").failed == failed
    assert freshness.freshness("hie").failed is None  # another producer's failure is not HIE's


def test_a_bad_period_key_or_listed_periods_for_a_whole_producer_record_no_run(whole: _Whole) -> None:
    with pytest.raises(ValueError, match="Not a period key"):
        engine.compute(_Counting(), periods=["2024-13"], as_of=AS_OF)
    with pytest.raises(ValueError, match="engine test figures are computed for every period at once"):
        engine.compute(whole, periods=["2024"], as_of=AS_OF)
    assert not KpiRun.objects.exists()


def test_a_drain_takes_only_its_producers_keys_and_a_whole_producer_runs_every_period(
        counting: _Counting, whole: _Whole) -> None:
    pending.mark(["2024-03"], producer="enginet")
    pending.mark(["2024-04"], producer="enginew")
    pending.mark(["2024-05"], producer="hie")

    run = KpiRun.objects.get(pk=tasks.recompute_pending(producer="enginet") or 0)
    assert (run.producer, run.scope, run.period_keys, run.trigger) == ("enginet", "periods", ["2024-03"],
                                                                      "case_saved")
    run = KpiRun.objects.get(pk=tasks.recompute_pending(producer="enginew") or 0)
    assert (run.producer, run.scope, whole.selected) == ("enginew", "full", [None])
    assert tasks.recompute_pending(producer="enginew") is None  # nothing left
    assert list(PendingRecompute.objects.values_list("producer", "period_key")) == [("hie", "2024-05")]


def test_freshness_is_per_producer(counting: _Counting) -> None:
    assert freshness.freshness("enginet").as_of is None
    run = engine.compute(counting, as_of=AS_OF)
    engine.compute(counting, periods=["2024-03"], as_of=AS_OF)  # not a full run: "data as of" stays

    seen = freshness.freshness("enginet")
    assert (seen.last_full, seen.as_of, seen.failed, seen.stale) == (run, run.finished_at, None, False)
    assert freshness.freshness("hie").last_full is None
