"""Panels other apps' pages include: overdue improvement actions (worklist) and celebrating success
(kpis overview, board report). Each reads in a constant number of queries."""

from __future__ import annotations

from typing import Any

from django import template

from improvement import access, success
from improvement.models import ImprovementAction
from kpis import orgscope
from kpis.definitions.base import Level

register = template.Library()

OVERDUE_SHOWN = 20


@register.simple_tag(takes_context=True)
def overdue_actions(context: template.Context) -> list[ImprovementAction]:
    """The overdue actions of the units the user may see (one query), oldest due date first."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(access.actions_for(user).overdue().select_related("unit", "owner")
                .order_by("due_date", "pk")[:OVERDUE_SHOWN])


@register.simple_tag
def celebrating_success(level: str = "", org: str = "") -> success.Panel:
    """The celebrated units and KPIs of the organisation shown (its units only: a unit page its own unit), at
    most `success.SHOWN` (improvement.success); without an organisation, every unit of the deployment."""
    if not (level and org):
        return success.panel(None)
    ref = orgscope.OrgRef(Level(level), org)
    return success.panel(orgscope.tree().units_in(ref, orgscope.today()))


@register.filter
def kpi_title(code: Any) -> str:
    from improvement import catalogue

    return catalogue.title(str(code))
