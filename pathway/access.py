"""The only door to case rows: which cases a user may list, view, edit or export, and which sections of a
case they may change.

A user acts on a case when a network-wide (or regional) role grants the action in a network the case
belongs to (that of its birth unit, cooling centre or transport service: a baby born in one network and
cooled or moved by another is both networks'; `units.access.network_ids_for`), or when a unit-scoped role at
the case's birth unit or cooling centre grants it, or a transport role at the service that moved the baby
(units.access.ROLE_ACTIONS). Anything else is a 404, so guessing a URL reveals nothing, not even that the
case exists. A section role (radiologist, transport team) changes only its sections (`editable_sections`).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from pathway.models import Case, CaseQuerySet
from pathway.sections import BY_SLUG, SECTIONS
from units.access import (
    SECTION_ROLES,
    TRANSPORT_ROLES,
    Action,
    UserLike,
    every_network,
    memberships,
    network_ids_for,
    scoped_unit_ids,
    transport_unit_ids,
)


def cases_for(user: UserLike, action: Action = Action.LIST) -> CaseQuerySet:
    cases: CaseQuerySet = Case.objects.all()
    if not user.is_authenticated:
        return cases.none()
    network_ids = network_ids_for(user, action)
    if every_network(user, network_ids):
        return cases
    unit_ids, transport_ids = scoped_unit_ids(user, action), transport_unit_ids(user, action)
    if not unit_ids and not transport_ids and not network_ids:
        return cases.none()
    reach = Q(pk__in=[])
    if network_ids:
        reach |= (Q(birth_unit__network_id__in=network_ids) | Q(cooling_centre__network_id__in=network_ids)
                  | Q(transport_service__network_id__in=network_ids))
    if unit_ids:
        reach |= Q(birth_unit_id__in=unit_ids) | Q(cooling_centre_id__in=unit_ids)
    if transport_ids:
        reach |= Q(transport_service_id__in=transport_ids)
    return cases.filter(reach)


def get_case_for_user(user: UserLike, pk: int, action: Action = Action.VIEW) -> Case:
    """The case if the user may do the action on it; a 404 otherwise (never a 403 that leaks existence)."""
    case = cases_for(user, action).select_related("birth_unit", "cooling_centre").filter(pk=pk).first()
    if case is None:
        raise Http404("No such case")
    return case


def can(user: UserLike, case: Case, action: Action) -> bool:
    return cases_for(user, action).filter(pk=case.pk).exists()


def editable_sections(user: UserLike, case: Case) -> frozenset[str]:
    """The sections (pathway.sections slugs) of the case the user may change: every one with EDIT on the
    case, else those of their section roles that reach it; none once the case was entered in error."""
    if case.entered_in_error:
        return frozenset()
    return role_sections(user, case)


def role_sections(user: UserLike, case: Case) -> frozenset[str]:
    """The sections the user's roles let them change on this case, whatever its entered-in-error mark: whether
    they are someone who writes to the case at all, so a write to a frozen one is refused for the mark (API 409,
    the same message for every role) rather than for the role."""
    if can(user, case, Action.EDIT):
        return frozenset(s.slug for s in SECTIONS if s.editable)
    slugs: set[str] = set()
    for membership in memberships(user):
        if membership.role not in SECTION_ROLES:
            continue
        if membership.role in TRANSPORT_ROLES:
            reaches = case.transport_service_id == membership.unit_id
        else:
            reaches = membership.unit_id in (case.birth_unit_id, case.cooling_centre_id)
        if reaches:
            slugs |= SECTION_ROLES[membership.role]
    return frozenset(slugs)


def section_fields(slugs: frozenset[str]) -> frozenset[str]:
    """The case fields those sections hold (what a section role's API change may touch)."""
    return frozenset(field for slug in slugs for field in BY_SLUG[slug].fields)
