"""Pending recomputes (kpis.models.PendingRecompute): what a save marks, and what a drain takes and runs.

The delayed, debounced sending with a real worker is in test_celery_worker.py; here Celery is eager.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services, tasks
from kpis.models import KpiAggregate, KpiRun, PendingRecompute
from pathway import services as pathway_services
from pathway.models import Case
from units.models import Network

pytestmark = pytest.mark.django_db


def test_marking_keeps_one_row_per_period_and_the_latest_time() -> None:
    services.mark_pending(["2024-05", "2024"])
    first = PendingRecompute.objects.get(period_key="2024").queued_at
    services.mark_pending(["2024", "2024-Q2"])

    assert list(PendingRecompute.objects.values_list("period_key", flat=True)) == ["2024", "2024-05", "2024-Q2"]
    assert PendingRecompute.objects.get(period_key="2024").queued_at > first


def test_taking_empties_the_table_and_a_second_take_gets_nothing() -> None:
    services.mark_pending(["2024-05", "2024"])

    assert sorted(services.take_pending()) == ["2024", "2024-05"]
    assert services.take_pending() == []


def test_a_drain_runs_every_pending_period_in_one_run(network: Network, people: Personas) -> None:
    Case.objects.create(**cooled_case_values(case_ref="EOE-P-1", birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    Case.objects.create(**cooled_case_values(case_ref="EOE-P-2", birth=datetime(2023, 2, 1, 9, 0, tzinfo=LONDON)))
    services.mark_pending(["2024-05", "2023"])

    run = KpiRun.objects.get(pk=tasks.recompute_pending(triggered_by_id=people.nurse.pk))

    assert (run.scope, run.trigger, run.triggered_by, run.progress_total) == ("periods", "case_saved", people.nurse, 2)
    assert sorted(run.period_keys) == ["2023", "2024-05"]
    assert set(KpiAggregate.objects.filter(run=run).values_list("period_key", flat=True)) == {"2023", "2024-05"}
    assert not PendingRecompute.objects.exists()


def test_a_drain_with_nothing_pending_records_no_run() -> None:
    assert tasks.recompute_pending() is None
    assert not KpiRun.objects.exists()


def test_a_bad_key_is_dropped_and_logged_and_the_rest_still_run(
        network: Network, caplog: pytest.LogCaptureFixture) -> None:
    Case.objects.create(**cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    PendingRecompute.objects.create(period_key="2024-13")
    services.mark_pending(["2024-05"])

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


def test_beat_drains_pending_periods_every_five_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["kpis-recompute-pending"]
    assert entry["task"] == "kpis.tasks.recompute_pending"
    assert entry["schedule"] == crontab(minute="*/5")
