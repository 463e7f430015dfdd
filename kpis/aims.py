"""Network aims: what the network wants each KPI to reach, set by an administrator (`NetworkAim`).

An aim is read with its KPI's direction: "at least 90%" when higher is better, "at most 5%" (or "at most
60 minutes" for a median time) when lower is better. A monitored KPI has no better direction, so no aim.
`set_aim` and `remove_aim` are the only writers (the admin calls them); each change is audited with the
old and new value, and the aim keeps who set it and when, which the pages show beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from kpis.models import NetworkAim
from kpis.outcome import Direction
from kpis.registry import MEDIANS, REGISTRY
from units.access import UserLike

_MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)
AUDIT_TYPE = "kpis.networkaim"


@dataclass(frozen=True)
class Aim:
    kpi: str
    value: float  # as people read it: a percentage for a rate, minutes for a median time
    direction: Direction
    is_rate: bool
    rationale: str
    set_by: str
    set_at: datetime

    @property
    def target(self) -> float:
        """On a chart's scale: a proportion for a rate, minutes for a median time."""
        return self.value / 100 if self.is_rate else self.value

    @property
    def value_text(self) -> str:
        return f"{self.value:g}%" if self.is_rate else f"{self.value:g} min"

    @property
    def text(self) -> str:
        """"at least 90%", "at most 60 min"."""
        return f"{'at least' if self.direction == Direction.HIGHER else 'at most'} {self.value_text}"

    def met_by(self, figure: float | None) -> bool | None:
        """Whether a figure (a proportion, or minutes) meets the aim; None when there is no figure."""
        if figure is None:
            return None
        return figure >= self.target if self.direction == Direction.HIGHER else figure <= self.target


def _aim(row: NetworkAim) -> Aim:
    definition = REGISTRY[row.kpi]
    direction = Direction.LOWER if row.kpi in _MEDIAN_CODES else Direction(definition.DIRECTION)
    by = (row.set_by.get_full_name() or row.set_by.get_username()) if row.set_by else "not recorded"
    return Aim(kpi=row.kpi, value=row.value, direction=direction, is_rate=row.kpi not in _MEDIAN_CODES,
               rationale=row.rationale, set_by=by, set_at=row.set_at)


def current() -> dict[str, Aim]:
    """Every aim of a KPI in the registry, by code (one query)."""
    rows = NetworkAim.objects.filter(kpi__in=list(REGISTRY)).select_related("set_by")
    return {row.kpi: _aim(row) for row in rows}


def validate(kpi: str, value: float) -> None:
    """Raise ValidationError naming the field and the rule."""
    definition = REGISTRY.get(kpi)
    if definition is None:
        raise ValidationError({"kpi": f"{kpi!r} is not a KPI of the pathway"})
    if kpi not in _MEDIAN_CODES and definition.DIRECTION == Direction.MONITOR:
        raise ValidationError({"kpi": f"{definition.TITLE} is monitored, with no better direction, so it has no aim"})
    if kpi in _MEDIAN_CODES and not value > 0:
        raise ValidationError({"value": "An aim for a time must be more than 0 minutes"})
    if kpi not in _MEDIAN_CODES and not 0 <= value <= 100:
        raise ValidationError({"value": "An aim for a rate is a percentage from 0 to 100"})


@transaction.atomic
def set_aim(*, kpi: str, value: float, rationale: str = "", by: UserLike | None) -> NetworkAim:
    """Create or change the aim of a KPI (audited: old → new value and rationale)."""
    validate(kpi, value)
    row = NetworkAim.objects.select_for_update().filter(kpi=kpi).first()
    before = {"value": row.value, "rationale": row.rationale} if row else {}
    if row is None:
        row = NetworkAim(kpi=kpi)
    row.value, row.rationale, row.set_at = value, rationale, timezone.now()
    row.set_by_id = by.pk if by is not None and by.is_authenticated else None
    row.save()
    changes = {field: [before.get(field, ""), getattr(row, field)] for field in ("value", "rationale")
               if before.get(field, "") != getattr(row, field)}
    audit.record(actor=by, action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
                 object_type=AUDIT_TYPE, object_id=kpi, changes=changes,
                 summary=f"Network aim for {REGISTRY[kpi].TITLE} {'changed' if before else 'set'}: {value:g}")
    return row


@transaction.atomic
def remove_aim(*, kpi: str, by: UserLike | None) -> None:
    row = NetworkAim.objects.select_for_update().filter(kpi=kpi).first()
    if row is None:
        return
    row.delete()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=AUDIT_TYPE, object_id=kpi,
                 changes={"value": [row.value, None]}, summary=f"Network aim for {kpi} removed")
