"""Who may see and change which improvement actions (decided by units.access, Action.IMPROVE).

Nurse specialists, network leads and administrators reach every action, network-wide ones included;
consultants and unit clinicians reach the actions of their own units. One action a user may not reach is
a 404, like a case.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from improvement.models import ImprovementAction, ImprovementActionQuerySet
from units.access import Action, UserLike, network_wide_for, scoped_unit_ids
from units.models import Unit, UnitQuerySet


def is_network_wide(user: UserLike) -> bool:
    return network_wide_for(user, Action.IMPROVE)


def actions_for(user: UserLike) -> ImprovementActionQuerySet:
    actions = ImprovementAction.objects.all()
    if is_network_wide(user):
        return actions
    return actions.filter(unit_id__in=scoped_unit_ids(user, Action.IMPROVE))


def get_action_for_user(user: UserLike, pk: int) -> ImprovementAction:
    return get_object_or_404(actions_for(user).select_related("unit", "owner"), pk=pk)


def units_for(user: UserLike) -> UnitQuerySet:
    """Units whose actions the user may see, create and change."""
    units = Unit.objects.active().order_by("short_name")
    return units if is_network_wide(user) else units.filter(pk__in=scoped_unit_ids(user, Action.IMPROVE))


def may_act_on(user: UserLike, unit: Unit | None) -> bool:
    """Whether the user may record an action at this unit (None: the network)."""
    if is_network_wide(user):
        return True
    return unit is not None and unit.pk in scoped_unit_ids(user, Action.IMPROVE)
