"""Pending recomputes (kpis.pending, kpis.models.PendingRecompute): what a save marks, and what a drain takes
and runs, per producer (POP's own saves and drain: pop/tests/test_services.py).

The delayed, debounced sending with a real worker is in test_celery_worker.py; here Celery is eager.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import pending, services, tasks
from kpis.models import KpiAggregate, KpiRun, PendingRecompute
from pathway import services as pathway_services
from pathway.models import Case
from units.models import Network

pytestmark = pytest.mark.django_db


AS_OF = date(2026, 11, 23)


def test_marking_keeps_one_row_per_producer_and_period_and_the_latest_time() -> None:
    pending.mark(["2024-05", "2024"], producer="hie")
    first = PendingRecompute.objects.get(period_key="2024").queued_at
    pending.mark(["2024", "2024-Q2"], producer="hie")
    pending.mark(["2024"], producer="pop")

    assert list(PendingRecompute.objects.values_list("producer", "period_key")) == [
        ("hie", "2024"), ("hie", "2024-05"), ("hie", "2024-Q2"), ("pop", "2024")]
    assert PendingRecompute.objects.get(producer="hie", period_key="2024").queued_at > first


def test_taking_empties_only_that_producers_rows_and_a_second_take_gets_nothing() -> None:
    pending.mark(["2024-05", "2024"], producer="hie")
    pending.mark(["2023"], producer="pop")

    assert sorted(pending.take("hie", AS_OF)) == ["2024", "2024-05"]
    assert pending.take("hie", AS_OF) == []
    assert pending.take("pop", AS_OF) == ["2023"]


def test_a_drain_runs_every_pending_period_in_one_run(network: Network, people: Personas) -> None:
    Case.objects.create(**cooled_case_values(case_ref="EOE-P-1", birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    Case.objects.create(**cooled_case_values(case_ref="EOE-P-2", birth=datetime(2023, 2, 1, 9, 0, tzinfo=LONDON)))
    pending.mark(["2024-05", "2023"], producer="hie")
    pending.mark(["2022"], producer="pop")  # not this drain's

    run_id = tasks.recompute_pending(triggered_by_id=people.nurse.pk)
    assert run_id is not None
    run = KpiRun.objects.get(pk=run_id)

    assert (run.scope, run.trigger, run.triggered_by, run.progress_total) == ("periods", "case_saved", people.nurse, 2)
    assert sorted(run.period_keys) == ["2023", "2024-05"]
    assert set(KpiAggregate.objects.filter(run=run).values_list("period_key", flat=True)) == {"2023", "2024-05"}
    assert list(PendingRecompute.objects.values_list("producer", "period_key")) == [("pop", "2022")]


def test_a_drain_with_nothing_pending_records_no_run() -> None:
    assert tasks.recompute_pending() is None
    assert not KpiRun.objects.exists()


def test_a_bad_key_is_dropped_and_logged_and_the_rest_still_run(
        network: Network, caplog: pytest.LogCaptureFixture) -> None:
    Case.objects.create(**cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    PendingRecompute.objects.create(producer="hie", period_key="2024-13")
    pending.mark(["2024-05"], producer="hie")

    with caplog.at_level(logging.ERROR):
        run = services.compute_pending()

    assert run is not None and run.period_keys == ["2024-05"]
    assert "'2024-13'" in caplog.text
    assert not PendingRecompute.objects.exists()


def test_a_save_marks_its_periods_and_the_eager_drain_takes_them_at_once(
        network: Network, people: Personas, django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        case = pathway_services.case_create(
            values=cooled_case_values(birth=timezone.now() - timedelta(days=2)), by=people.nurse)

    run = KpiRun.objects.get()
    assert {p.key for p in services.periods_for_case(case)} == set(run.period_keys)
    assert not PendingRecompute.objects.exists()


def test_a_drain_of_another_producer_leaves_the_hie_periods(network: Network) -> None:
    pending.mark(["2024-05"], producer="hie")
    pending.mark(["2024-05"], producer="pop")

    run_id = tasks.recompute_pending(producer="pop")
    assert run_id is not None
    run = KpiRun.objects.get(pk=run_id)

    assert (run.producer, run.period_keys) == ("pop", ["2024-05"])
    assert list(PendingRecompute.objects.values_list("producer", "period_key")) == [("hie", "2024-05")]


@pytest.mark.parametrize(("name", "producer"), [("kpis-recompute-pending", "hie"), ("pop-recompute-pending", "pop"),
                                                ("training-recompute-pending", "training")])
def test_beat_drains_every_producers_pending_periods_every_five_minutes(name: str, producer: str) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    assert (entry["task"], entry["kwargs"]) == ("kpis.tasks.recompute_pending", {"producer": producer})
    assert entry["schedule"] == crontab(minute="*/5")
