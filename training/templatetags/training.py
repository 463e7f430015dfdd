"""`{% unit_training_coverage unit period as coverage %}`: the unit's stored coverage KPI for the KPI
dashboard's period (or the latest rolling 12 months), in exactly one query, so the dashboard's query count
stays constant (templates/training/partials/unit_coverage.html)."""

from __future__ import annotations

from django import template

from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from kpis.periods import PeriodType
from training.services import KPI_CODE
from units.models import Unit

register = template.Library()


@register.simple_tag
def unit_training_coverage(unit: Unit, period: str | None = None) -> KpiAggregate | None:
    rows = (KpiAggregate.objects.filter(kpi=KPI_CODE, level=Level.BIRTH_UNIT.value, org_code=unit.ods_code)
            .select_related("run"))
    if period:
        return rows.filter(period_key=period).first()
    return rows.filter(period_type=PeriodType.ROLLING_12M).order_by("-period_end").first()
