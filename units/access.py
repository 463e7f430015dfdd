"""Who may do what, decided in one place.

A role grants actions; a scoped role applies to cases whose birth unit or cooling centre is the
membership's unit, a network-wide role to every case. `pathway.access` turns this into case filters.

Two roles change one section of a case and nothing else (`SECTION_ROLES`): a radiologist the MRI of the
cases of their units, a transport team the referral and transport of every case their service moved
(`TRANSPORT_ROLES` reach a case through its `transport_service`, not its birth unit or cooling centre).
They hold no EDIT action, so every other door that changes a case stays shut to them.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from units.models import Membership, Role


class Action(StrEnum):
    LIST = "list"
    VIEW = "view"
    EDIT = "edit"
    EXPORT = "export"
    IMPORT = "import"
    RECOMPUTE = "recompute"  # start a full KPI recompute (not about cases: no unit scope)
    FAMILY_SITE = "family_site"  # edit the family website and events, moderate feedback (no unit scope)
    RECORD_TRAINING = "record_training"  # record training sessions and staff establishment (training/)
    REPORT = "report"  # board reports and the export log (reporting/; network-wide figures, no unit scope)
    INVITE = "invite"  # invite people by email to a unit and role (accounts/; never a role above one's own)
    MANAGE_ACCOUNTS = "manage_accounts"  # reset two-factor, unlock, read the sign-in log (accounts/)
    IMPROVE = "improve"  # improvement actions and PDSA cycles (improvement/; network-wide or own units)
    LIVE_BIRTHS = "live_births"  # record, import and export live births per unit-year (units.births; no patients)


NETWORK_WIDE_ROLES = frozenset({Role.NURSE_SPECIALIST, Role.NETWORK_LEAD, Role.ADMINISTRATOR})

_READ = {Action.LIST, Action.VIEW}
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.UNIT_CLINICIAN: frozenset(_READ | {Action.EDIT, Action.RECORD_TRAINING, Action.IMPROVE}),
    Role.CONSULTANT: frozenset(_READ | {Action.EDIT, Action.EXPORT, Action.IMPROVE}),
    Role.NURSE_SPECIALIST: frozenset(_READ | {Action.EDIT, Action.EXPORT, Action.IMPORT, Action.FAMILY_SITE,
                                              Action.RECORD_TRAINING, Action.INVITE, Action.IMPROVE,
                                              Action.LIVE_BIRTHS}),
    # Network leads compare and report; they do not change clinical records.
    Role.NETWORK_LEAD: frozenset(_READ | {Action.EXPORT, Action.RECOMPUTE, Action.REPORT, Action.INVITE,
                                          Action.IMPROVE}),
    Role.ADMINISTRATOR: frozenset(_READ | {Action.EDIT, Action.EXPORT, Action.IMPORT, Action.RECOMPUTE,
                                           Action.FAMILY_SITE, Action.RECORD_TRAINING, Action.REPORT,
                                           Action.INVITE, Action.MANAGE_ACCOUNTS, Action.IMPROVE,
                                           Action.LIVE_BIRTHS}),
}

ROLE_ACTIONS[Role.RADIOLOGIST] = frozenset(_READ)
ROLE_ACTIONS[Role.TRANSPORT_TEAM] = frozenset(_READ)

# Role → the case sections (pathway.sections slugs) it may change, on the cases it reaches.
SECTION_ROLES: dict[str, frozenset[str]] = {
    Role.RADIOLOGIST: frozenset({"mri"}),
    Role.TRANSPORT_TEAM: frozenset({"referral"}),
}
TRANSPORT_ROLES = frozenset({Role.TRANSPORT_TEAM})

UserLike = AbstractBaseUser | AnonymousUser


def memberships(user: UserLike) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if not user.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, unit__active=True).select_related("unit"))
        user._membership_cache = cached  # type: ignore[union-attr]
    return cached


def user_roles(user: UserLike) -> set[str]:
    return {m.role for m in memberships(user)}


def network_wide_for(user: UserLike, action: Action) -> bool:
    """True when some network-wide role of the user grants the action on every case."""
    return any(m.role in NETWORK_WIDE_ROLES and action in ROLE_ACTIONS[m.role] for m in memberships(user))


def scoped_unit_ids(user: UserLike, action: Action) -> set[int]:
    """Units whose cases (born or cooled there) the user may act on through a unit-scoped role."""
    return {m.unit_id for m in memberships(user) if action in ROLE_ACTIONS[m.role] and m.role not in TRANSPORT_ROLES}


def transport_unit_ids(user: UserLike, action: Action) -> set[int]:
    """Transport services whose moved cases the user may act on through a transport role."""
    return {m.unit_id for m in memberships(user) if action in ROLE_ACTIONS[m.role] and m.role in TRANSPORT_ROLES}


def may(user: UserLike, action: Action) -> bool:
    """Whether the user may do the action on at least some cases (shows or hides a link)."""
    return any(action in ROLE_ACTIONS[m.role] for m in memberships(user))
