"""Who may see and change which improvement actions (decided by units.access, Action.IMPROVE).

Nurse specialists, network leads and administrators reach every action of their network (its units' and
the network's own, `ImprovementAction.network`); consultants and unit clinicians reach the actions of their
own units. One action a user may not reach is
a 404, like a case.
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from improvement.models import ImprovementAction, ImprovementActionQuerySet
from units.access import Action, UserLike, may_act_at, network_ids_for, network_wide_for, scoped_unit_ids
from units.access import units_for as units_for_action
from units.models import Unit, UnitQuerySet


def is_network_wide(user: UserLike) -> bool:
    return network_wide_for(user, Action.IMPROVE)


def actions_for(user: UserLike) -> ImprovementActionQuerySet:
    actions = ImprovementAction.objects.all()
    network_ids = network_ids_for(user, Action.IMPROVE)
    return actions.filter(Q(network_id__in=network_ids) | Q(unit_id__in=scoped_unit_ids(user, Action.IMPROVE)))


def get_action_for_user(user: UserLike, pk: int) -> ImprovementAction:
    return get_object_or_404(actions_for(user).select_related("unit", "owner"), pk=pk)


def units_for(user: UserLike) -> UnitQuerySet:
    """Units whose actions the user may see, create and change."""
    return units_for_action(user, Action.IMPROVE).filter(active=True).order_by("short_name")


def may_act_on(user: UserLike, unit: Unit | None) -> bool:
    """Whether the user may record an action at this unit (None: their network)."""
    if unit is None:
        return is_network_wide(user)
    return may_act_at(user, Action.IMPROVE, unit)


def network_for_action(user: UserLike, unit: Unit | None) -> int | None:
    """The network an action belongs to: its unit's, else the first network the user acts network-wide in."""
    if unit is not None:
        return unit.network_id
    return min(network_ids_for(user, Action.IMPROVE), default=None)
