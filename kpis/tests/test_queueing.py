"""A case write queues a recompute of that case's periods on commit, once per transaction.

Celery is eager in the test settings, so executing the captured on-commit callback runs the task inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import transaction

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.models import CaseOutcome, KpiAggregate, KpiRun
from pathway import csv_io, services
from pathway.dataset import COLUMNS
from pathway.models import Case

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=LONDON)
BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
# Written out by hand: 2024, its Q2, May, and the rolling windows ending May 2024 .. January 2025 (the
# run date's month); windows ending later are not computed until those months come.
MAY_2024_KEYS = ["2024", "FY2024-25", "2024-Q2", "2024-05", *(f"R12-2024-{m:02d}" for m in range(5, 13)), "R12-2025-01"]

Captured = Callable[..., Any]


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(people: Personas, django_capture_on_commit_callbacks: Captured) -> Case:
    # Committed as its own transaction would be: the create's recompute runs here, not in the test.
    with django_capture_on_commit_callbacks(execute=True):
        return services.case_create(values=cooled_case_values(birth=BIRTH, case_ref="HIE-0001"),
                                    by=people.nurse)


def last_run() -> KpiRun:
    run = KpiRun.objects.order_by("-id").first()
    assert run is not None
    return run


def test_case_update_queues_its_periods_on_commit(case: Case, people: Personas,
                                                  django_capture_on_commit_callbacks: Captured) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.case_update(case=case, values={"passive_cooling_start": None}, expected_version=1, by=people.nurse)

    assert len(callbacks) == 1
    run = last_run()
    assert (run.trigger, run.status, run.scope, run.triggered_by) == ("case_saved", "succeeded", "periods",
                                                                     people.nurse)
    assert sorted(run.period_keys) == sorted(MAY_2024_KEYS)
    assert set(KpiAggregate.objects.values_list("period_key", flat=True)) == set(MAY_2024_KEYS)
    # The update is in the figures: cooling now starts with active cooling at 200 minutes, still met.
    row = KpiAggregate.objects.get(kpi="age_at_cooling_start_min", level="network", period_key="2024")
    assert row.median == 200.0


def test_nothing_is_queued_before_commit_or_for_an_unchanged_save(case: Case, people: Personas,
                                                                  django_capture_on_commit_callbacks: Captured
                                                                  ) -> None:
    runs = KpiRun.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        services.case_update(case=case, values={"hie_grade": 2}, expected_version=1, by=people.nurse)
        services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.nurse)
        assert KpiRun.objects.count() == runs  # queued, not run: the transaction has not committed
    assert len(callbacks) == 1  # the unchanged save queued nothing


def test_a_new_birth_date_recomputes_the_old_periods_too(case: Case, people: Personas,
                                                         django_capture_on_commit_callbacks: Captured) -> None:
    moved = cooled_case_values(birth=datetime(2023, 2, 1, 9, 0, tzinfo=LONDON))
    moved = {k: v for k, v in moved.items() if k not in ("case_ref", "birth_unit", "cooling_centre")}
    with django_capture_on_commit_callbacks(execute=True):
        services.case_update(case=case, values=moved, expected_version=1, by=people.nurse)

    keys = set(last_run().period_keys)
    assert set(MAY_2024_KEYS) <= keys
    assert {"2023", "2023-Q1", "2023-02", "R12-2023-02", "R12-2024-01"} <= keys
    assert "R12-2024-02" not in keys  # March 2023 .. February 2024 holds neither birth month
    assert not KpiAggregate.objects.filter(period_key="2024-05").exists()  # the case left May 2024


def test_marking_entered_in_error_removes_the_case_from_its_figures(case: Case, people: Personas,
                                                                    django_capture_on_commit_callbacks: Captured
                                                                    ) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.nurse)
    assert KpiAggregate.objects.filter(period_key="2024").exists()
    assert CaseOutcome.objects.filter(case=case).exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.case_mark_entered_in_error(case=case, reason="duplicate", expected_version=2, by=people.nurse)

    assert len(callbacks) == 1
    assert not KpiAggregate.objects.filter(period_key__in=MAY_2024_KEYS).exists()
    assert not CaseOutcome.objects.filter(case=case).exists()


def test_a_temperature_queues_one_recompute(case: Case, people: Personas,
                                            django_capture_on_commit_callbacks: Captured) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        services.temperature_add(case=case, observed_at=datetime(2024, 5, 14, 9, 0, tzinfo=LONDON),
                                 temp_c=Decimal("33.5"), site="rectal", by=people.nurse)
    assert len(callbacks) == 1


def _file(*cases: Case) -> bytes:
    rows = [list(COLUMNS), *(csv_io.case_row(c) for c in cases)]
    return "".join(csv_io.csv_lines(rows)).encode()


def test_an_import_queues_each_period_once(people: Personas,
                                           django_capture_on_commit_callbacks: Captured) -> None:
    births = [BIRTH, datetime(2024, 5, 20, 10, 0, tzinfo=LONDON), datetime(2023, 11, 2, 8, 0, tzinfo=LONDON)]
    data = _file(*(Case(**cooled_case_values(birth=b, case_ref=f"IMP-{i}")) for i, b in enumerate(births)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = csv_io.import_file(data, by=people.nurse)

    assert result.errors == [] and result.created == 3
    # Each row's save registers its callback, and the first to run sends the whole transaction's batch: the
    # periods are marked once and one drain runs them all.
    assert len(callbacks) == 3
    assert KpiRun.objects.count() == 1
    keys = last_run().period_keys
    assert len(keys) == len(set(keys))
    assert set(MAY_2024_KEYS) | {"2023", "2023-Q4", "2023-11", "R12-2023-11", "R12-2024-10"} <= set(keys)
    network = KpiAggregate.objects.get(kpi="cooling_started_6h", level="network", period_key="R12-2024-10")
    assert (network.numerator, network.denominator) == (3, 3)  # November 2023 .. October 2024: all three


def test_a_refused_import_queues_nothing(people: Personas,
                                             django_capture_on_commit_callbacks: Captured) -> None:
    good = Case(**cooled_case_values(birth=BIRTH, case_ref="IMP-1"))
    clash = Case(**cooled_case_values(birth=BIRTH, case_ref="IMP-1"))  # duplicate case_ref: file refused
    with django_capture_on_commit_callbacks() as callbacks:
        result = csv_io.import_file(_file(good, clash), by=people.nurse)
    assert result.errors
    assert callbacks == []


def test_a_rolled_back_savepoint_does_not_swallow_later_queueing(case: Case, people: Personas,
                                                                 django_capture_on_commit_callbacks: Captured
                                                                 ) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.case_update(case=case, values={"hie_grade": 3}, expected_version=1, by=people.nurse)
            raise RuntimeError("abandon this save")
        services.case_update(case=case, values={"hie_grade": 1}, expected_version=1, by=people.nurse)
    assert len(callbacks) == 1
    runs = KpiRun.objects.count()
    callbacks[0]()
    assert KpiRun.objects.count() == runs + 1
    assert sorted(last_run().period_keys) == sorted(MAY_2024_KEYS)


def test_a_rolled_back_transaction_leaves_nothing_for_the_next_one(case: Case, people: Personas,
                                                                   django_capture_on_commit_callbacks: Captured
                                                                   ) -> None:
    """The periods of a save that rolled back are not recomputed with the next transaction's."""
    moved = cooled_case_values(birth=datetime(2023, 2, 1, 9, 0, tzinfo=LONDON))
    moved = {k: v for k, v in moved.items() if k not in ("case_ref", "birth_unit", "cooling_centre")}
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.case_update(case=case, values=moved, expected_version=1, by=people.nurse)
        raise RuntimeError("abandon this save")
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.case_update(case=case, values={"hie_grade": 1}, expected_version=1, by=people.nurse)
    assert len(callbacks) == 1
    assert sorted(last_run().period_keys) == sorted(MAY_2024_KEYS)  # no 2023 period of the abandoned save
