"""Every write of improvement actions and PDSA cycles: validate, check the version, audit (one transaction).

Screens, the admin-free command line and tests all call these; a refused write leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.exceptions import EditConflict
from core.fields import concrete_field
from core.models import AuditEvent
from improvement import access, catalogue
from improvement.models import ImprovementAction, PdsaCycle, Status
from units.access import UserLike

OBJECT_TYPE = "improvement_action"
CYCLE_OBJECT_TYPE = "pdsa_cycle"
FIELDS = ("unit", "kpi", "problem", "change_idea", "owner", "due_date", "status", "outcome")
REQUIRED_TEXT = ("problem", "change_idea")


@dataclass(frozen=True)
class CycleValues:
    cycle_date: date
    plan: str
    do: str
    study: str
    act: str


def _snapshot(action: ImprovementAction) -> dict[str, Any]:
    return {name: getattr(action, name) for name in FIELDS}


def _validate(action: ImprovementAction, by: UserLike) -> None:
    errors: dict[str, list[str]] = {}
    if action.kpi not in catalogue.TITLES:
        errors["kpi"] = [f"KPI: “{action.kpi}” is not a KPI code of the HIE or POP registry"]
    for name in REQUIRED_TEXT:
        if not (getattr(action, name) or "").strip():
            errors[name] = [f"{concrete_field(ImprovementAction, name).verbose_name.capitalize()}: required"]
    if action.status not in Status.values:
        errors["status"] = [f"Status: must be one of {', '.join(Status.labels)}"]
    if action.owner_id is None or not get_user_model().objects.filter(pk=action.owner_id, is_active=True).exists():
        errors["owner"] = ["Owner: choose an active user"]
    if action.status in (Status.DONE, Status.ABANDONED) and not action.outcome.strip():
        errors["outcome"] = ["Outcome: say what happened before marking the action done or abandoned"]
    if not access.may_act_on(by, action.unit):
        errors["unit"] = ["Unit: you may record improvement actions only for your own units"
                          if action.unit else "Unit: only network-wide roles record network actions"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(*, values: Mapping[str, Any], by: User) -> ImprovementAction:
    action = ImprovementAction(created_by=by, **{k: v for k, v in values.items() if k in FIELDS})
    _validate(action, by)
    action.network_id = access.network_for_action(by, action.unit)
    action.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=OBJECT_TYPE, object_id=action.pk,
                 summary=f"Improvement action for {catalogue.title(action.kpi)}",
                 changes=audit.changes({}, _snapshot(action)))
    return action


@transaction.atomic
def action_update(*, action: ImprovementAction, values: Mapping[str, Any], expected_version: int,
                  by: UserLike) -> ImprovementAction:
    """Apply changes; refuse with EditConflict when someone saved the action since `expected_version`."""
    locked = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise EditConflict(f"Someone else changed this action (now version {locked.version}) after you opened "
                           "it. Nothing was saved: reload it to see their changes, then make yours again.")
    if not access.may_act_on(by, locked.unit):
        raise ValidationError({"unit": ["Unit: you may change improvement actions only for your own units"]})
    before = _snapshot(locked)
    for name, value in values.items():
        if name in FIELDS:
            setattr(locked, name, value)
    _validate(locked, by)
    if locked.unit is not None:
        locked.network_id = locked.unit.network_id
    changes = audit.changes(before, _snapshot(locked))
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=OBJECT_TYPE, object_id=locked.pk,
                 summary=f"Changed {audit.field_names(ImprovementAction, changes)}", changes=changes)
    return locked


@transaction.atomic
def cycle_add(*, action: ImprovementAction, values: CycleValues, by: User) -> PdsaCycle:
    errors: dict[str, list[str]] = {}
    for name in ("plan", "do", "study", "act"):
        if not getattr(values, name).strip():
            errors[name] = [f"{name.capitalize()}: required (write what was planned, done, learnt and decided)"]
    if values.cycle_date > timezone.localdate():
        errors["cycle_date"] = ["Date: a PDSA cycle cannot be in the future"]
    if not access.may_act_on(by, action.unit):
        errors["unit"] = ["Unit: you may add PDSA cycles only to your own units' actions"]
    if errors:
        raise ValidationError(errors)
    cycle = PdsaCycle.objects.create(action=action, created_by=by, cycle_date=values.cycle_date,
                                     plan=values.plan.strip(), do=values.do.strip(), study=values.study.strip(),
                                     act=values.act.strip())
    audit.record(actor=by, action=AuditEvent.Action.CREATE, object_type=CYCLE_OBJECT_TYPE, object_id=cycle.pk,
                 summary=f"PDSA cycle of {values.cycle_date:%d/%m/%Y} on improvement action {action.pk}",
                 changes=audit.changes({}, {"action": action.pk, "plan": cycle.plan, "do": cycle.do,
                                            "study": cycle.study, "act": cycle.act}))
    return cycle
