"""The only door to case rows: which cases a user may list, view, edit or export.

A user acts on a case when a network-wide role grants the action, or when a unit-scoped role at the
case's birth unit or cooling centre grants it (units.access.ROLE_ACTIONS). Anything else is a 404, so
guessing a URL reveals nothing, not even that the case exists.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from pathway.models import Case, CaseQuerySet
from units.access import Action, UserLike, network_wide_for, scoped_unit_ids


def cases_for(user: UserLike, action: Action = Action.LIST) -> CaseQuerySet:
    cases: CaseQuerySet = Case.objects.all()
    if not user.is_authenticated:
        return cases.none()
    if network_wide_for(user, action):
        return cases
    unit_ids = scoped_unit_ids(user, action)
    if not unit_ids:
        return cases.none()
    return cases.filter(Q(birth_unit_id__in=unit_ids) | Q(cooling_centre_id__in=unit_ids))


def get_case_for_user(user: UserLike, pk: int, action: Action = Action.VIEW) -> Case:
    """The case if the user may do the action on it; a 404 otherwise (never a 403 that leaks existence)."""
    case = cases_for(user, action).select_related("birth_unit", "cooling_centre").filter(pk=pk).first()
    if case is None:
        raise Http404("No such case")
    return case


def can(user: UserLike, case: Case, action: Action) -> bool:
    return cases_for(user, action).filter(pk=case.pk).exists()
