"""`seed_training`: demo data written through the services, reproducible by seed, skipped when data exist."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from core.models import AuditEvent
from kpis.models import KpiAggregate
from training.models import Establishment, TrainingSession
from training.selectors import coverage_rows
from training.services import KPI_CODE
from units.models import Network

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-30"


def _fingerprint() -> list[tuple]:
    return list(TrainingSession.objects.order_by("unit__ods_code", "date", "trainer")
                .values_list("unit__ods_code", "date", "trainer", "format"))


def test_seed_is_reproducible_audited_and_covers_every_state(network: Network,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_training", "--seed", "7", "--as-of", AS_OF)
    assert "Seeded" in capsys.readouterr().out
    first = _fingerprint()
    assert len(first) > 50
    assert AuditEvent.objects.filter(object_type="training_session").count() == len(first)
    assert KpiAggregate.objects.filter(kpi=KPI_CODE, period_key="R12-2026-06").exists()
    states = {row.coverage.rag for row in coverage_rows(date(2026, 6, 30))}
    assert "grey" in states and states & {"green", "amber", "red"}
    assert any(row.refresher.is_due for row in coverage_rows(date(2026, 6, 30)))

    call_command("seed_training", "--seed", "7", "--as-of", AS_OF)
    assert "nothing seeded" in capsys.readouterr().out
    assert _fingerprint() == first

    TrainingSession.objects.all().delete()
    Establishment.objects.all().delete()
    call_command("seed_training", "--seed", "7", "--as-of", AS_OF)
    assert _fingerprint() == first
