"""A HIE run replaces only the HIE codes: figures written by other producers (POP, training) survive it."""

from __future__ import annotations

from datetime import date

import pytest

from core.testing.personas import Personas
from kpis import services
from kpis.models import KpiAggregate, KpiRun


@pytest.mark.django_db
def test_full_run_leaves_other_codes_alone(people: Personas) -> None:
    other_run = KpiRun.objects.create(as_of=date(2024, 12, 31), status=KpiRun.Status.SUCCEEDED)
    KpiAggregate.objects.create(kpi="pop_all_eligible", level="network", org_code="network", period_type="year",
                                period_key="2024", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
                                numerator=3, denominator=4, rate=0.75, run=other_run, definition_version=1)
    services.compute(as_of=date(2024, 12, 31))
    services.compute(periods=["2024"], as_of=date(2024, 12, 31))
    assert KpiAggregate.objects.filter(kpi="pop_all_eligible").values_list("numerator", flat=True).get() == 3
