"""Who may do what, decided in one place.

A role grants actions; a scoped role applies to cases whose birth unit or cooling centre is the
membership's unit, a network-wide role to every case of the membership's unit's network, and a regional
role to every case of every network in that network's NHS England region (`network_ids_for`, the one
answer every door asks: cases, POP records, training, family events, improvement actions, live births).
A case belongs to the networks of its birth unit, cooling centre and transport service, so a baby born in
one network and cooled or moved by another is seen by both networks' staff. `pathway.access` turns this
into case filters.

A regional lead (`REGIONAL_ROLES`) is read only and pseudonymised: its only case action is EXPORT, which
`pathway.csv_io` makes pseudonymised for every role outside IDENTIFIABLE_ROLES, so no case page, list, API
read or identifiable file reaches it; KPI dashboards hold no patient data and are open to every sign-in.

Two roles change one section of a case and nothing else (`SECTION_ROLES`): a radiologist the MRI of the
cases of their units, a transport team the referral and transport of every case their service moved
(`TRANSPORT_ROLES` reach a case through its `transport_service`, not its birth unit or cooling centre).
They hold no EDIT action, so every other door that changes a case stays shut to them.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from units.models import Membership, Network, Role, Unit, UnitQuerySet


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
# Every network of the region of the membership's unit's network (issue 18), read only and pseudonymised.
REGIONAL_ROLES = frozenset({Role.REGIONAL_LEAD})

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

# No LIST or VIEW: the case list and case pages show identifiers. EXPORT is the pseudonymised file only
# (pathway.csv_io.IDENTIFIABLE_ROLES), and no action writes.
ROLE_ACTIONS[Role.REGIONAL_LEAD] = frozenset({Action.EXPORT})
ROLE_ACTIONS[Role.RADIOLOGIST] = frozenset(_READ)
ROLE_ACTIONS[Role.TRANSPORT_TEAM] = frozenset(_READ)

# Role → the case sections (pathway.sections slugs) it may change, on the cases it reaches.
SECTION_ROLES: dict[str, frozenset[str]] = {
    Role.RADIOLOGIST: frozenset({"mri"}),
    Role.TRANSPORT_TEAM: frozenset({"referral"}),
}
TRANSPORT_ROLES = frozenset({Role.TRANSPORT_TEAM})

UserLike = User | AnonymousUser


def memberships(user: UserLike) -> list[Membership]:
    """The user's memberships, cached on the user object for the request (each with `deployment_networks`)."""
    if not user.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(user, "_membership_cache", None)
    if cached is None:
        # With the deployment's network count (a scalar subquery), which `every_network` needs on every door.
        cached = list(Membership.objects.filter(user=user, unit__active=True).select_related("unit")
                      .annotate(deployment_networks=_network_count()))
        user._membership_cache = cached  # type: ignore[attr-defined]  # a per-request cache on the user object
    return cached


def _network_count() -> RawSQL:
    return RawSQL(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Network._meta.db_table)}", ())


def user_roles(user: UserLike) -> set[str]:
    return {m.role for m in memberships(user)}


def _region_network_ids(network_ids: set[int]) -> set[int]:
    """Every network in the NHS England region of any of these networks (by region row, else region code)."""
    home = list(Network.objects.filter(pk__in=network_ids).only("pk", "region_id", "region_code"))
    region_ids = {n.region_id for n in home if n.region_id is not None}
    codes = {n.region_code for n in home if n.region_id is None and n.region_code}
    return set(Network.objects.filter(Q(pk__in=network_ids) | Q(region_id__in=region_ids)
                                      | Q(region_code__in=codes)).values_list("pk", flat=True))


def network_ids_for(user: UserLike, action: Action) -> frozenset[int]:
    """The networks on every row of which the user may do the action: the network of each network-wide
    membership's unit that grants it, and for a regional role every network of that network's region.

    A row belongs to a network through its unit (a case through its birth unit, cooling centre or transport
    service). Cached on the user object for the request, like the memberships.
    """
    if not user.is_authenticated:
        return frozenset()
    cache: dict[Action, frozenset[int]] = getattr(user, "_network_ids_cache", None) or {}
    if action not in cache:
        granted = [m for m in memberships(user) if action in ROLE_ACTIONS[m.role]]
        ids = {m.unit.network_id for m in granted if m.role in NETWORK_WIDE_ROLES}
        regional = {m.unit.network_id for m in granted if m.role in REGIONAL_ROLES}
        cache[action] = frozenset(ids | (_region_network_ids(regional) if regional else set()))
        user._network_ids_cache = cache  # type: ignore[attr-defined]  # a per-request cache on the user object
    return cache[action]


def home_network_ids(user: UserLike) -> frozenset[int]:
    """The networks a user works in, whatever the role: those of their units, a regional role's whole
    region. Screens without patient data (training sessions, live births) show these networks' rows."""
    own = {m.unit.network_id for m in memberships(user)}
    regional = {m.unit.network_id for m in memberships(user) if m.role in REGIONAL_ROLES}
    return frozenset(own | (_region_network_ids(regional) if regional else set()))


def every_network(user: UserLike, network_ids: frozenset[int]) -> bool:
    """Whether the user's network ids (from `network_ids_for` or `home_network_ids`: ids of networks that
    exist) are every network of the deployment: then a door needs no network filter, which keeps a one-network
    deployment's queries as they were. No query of its own: the deployment's network count comes with the
    memberships (`deployment_network_count`), so however many doors of a request ask, none adds a query."""
    return bool(network_ids) and len(network_ids) >= deployment_network_count(user)


def deployment_network_count(user: UserLike) -> int:
    """How many networks the deployment has, as read with the user's memberships (the same per-request
    lifetime as `memberships` and `network_ids_for`); one query, cached on the user, for a user without any."""
    held = memberships(user)
    if held:
        return int(held[0].deployment_networks)  # type: ignore[attr-defined]  # annotated by `memberships`
    cached: int | None = getattr(user, "_network_count_cache", None)
    if cached is None:
        cached = Network.objects.count()
        user._network_count_cache = cached  # type: ignore[union-attr]  # a per-request cache on the user object
    return cached


def network_wide_for(user: UserLike, action: Action) -> bool:
    """True when some network-wide or regional role of the user grants the action on every row of its
    network(s) (`network_ids_for` says which): a screen-level question, never a row filter."""
    return bool(network_ids_for(user, action))


def units_for(user: UserLike, action: Action) -> UnitQuerySet:
    """Units the user may do the action at: every unit of their `network_ids_for` networks and the units of
    their unit-scoped roles (training recording, improvement actions, live births, unit pickers)."""
    units: UnitQuerySet = Unit.objects.all()
    if not user.is_authenticated:
        return units.none()
    network_ids = network_ids_for(user, action)
    if every_network(user, network_ids):
        return units
    return units.filter(Q(network_id__in=network_ids) | Q(pk__in=scoped_unit_ids(user, action)))


def may_act_at(user: UserLike, action: Action, unit: Unit) -> bool:
    """Whether `unit` is one of `units_for(user, action)`, from the cached memberships (no query)."""
    return unit.network_id in network_ids_for(user, action) or unit.pk in scoped_unit_ids(user, action)


def home_units(user: UserLike) -> UnitQuerySet:
    """Every unit of the networks the user works in (`home_network_ids`): the screens without patient data
    (training coverage, live births)."""
    network_ids = home_network_ids(user)
    units: UnitQuerySet = Unit.objects.all()
    return units if every_network(user, network_ids) else units.filter(network_id__in=network_ids)


def scoped_unit_ids(user: UserLike, action: Action) -> set[int]:
    """Units whose cases (born or cooled there) the user may act on through a unit-scoped role."""
    return {m.unit_id for m in memberships(user) if action in ROLE_ACTIONS[m.role] and m.role not in TRANSPORT_ROLES}


def transport_unit_ids(user: UserLike, action: Action) -> set[int]:
    """Transport services whose moved cases the user may act on through a transport role."""
    return {m.unit_id for m in memberships(user) if action in ROLE_ACTIONS[m.role] and m.role in TRANSPORT_ROLES}


def may(user: UserLike, action: Action) -> bool:
    """Whether the user may do the action on at least some cases (shows or hides a link)."""
    return any(action in ROLE_ACTIONS[m.role] for m in memberships(user))
