"""Migration 0003: existing runs get their producer from the definition versions they recorded, and the runs
that covered every period say so (scope "full")."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from kpis.models import KpiRun

pytestmark = pytest.mark.django_db
migration = importlib.import_module("kpis.migrations.0003_kpirun_producer")


def _run(versions: dict[str, int], trigger: str = "manual", scope: str = "periods") -> KpiRun:
    return KpiRun.objects.create(as_of=date(2025, 1, 15), definition_versions=versions, trigger=trigger, scope=scope)


def test_existing_runs_get_their_producer_and_full_runs_their_scope() -> None:
    hie_full = _run({"cooling_started_6h": 1, "age_at_referral_min": 1}, scope="full")
    hie_saved = _run({"cooling_started_6h": 1}, trigger="case_saved")
    pop_nightly = _run({"pop_all_eligible": 1, "pop_optimisation_score": 1}, trigger="nightly")
    pop_manual = _run({"pop_all_eligible": 1, "pop_optimisation_score": 1})
    training = _run({"training_coverage_12m": 1}, trigger="manual")
    # Before the migration every run is the default producer's, as the column was added with it.
    assert set(KpiRun.objects.values_list("producer", flat=True)) == {"hie"}

    migration.fill_producer(apps, None)

    found = {run.pk: (run.producer, run.scope) for run in KpiRun.objects.all()}
    assert found == {hie_full.pk: ("hie", "full"), hie_saved.pk: ("hie", "periods"),
                     pop_nightly.pk: ("pop", "full"),  # nightly POP runs computed every period
                     pop_manual.pk: ("pop", "periods"),  # may have been of listed periods: left as recorded
                     training.pk: ("training", "full")}  # training runs always computed every period
