"""Which organisation a dashboard shows, and where a viewer may go from it (issue 18: roll up and drill down).

Figures exist at the birth unit and at every organisation above it (kpis.md "Levels", issue 18: trust, LMNS,
ICB, network by its code, region). A dashboard shows one `OrgRef` (level + code); the pages that used to show
"the network" show the viewer's own network. The picker and breadcrumb offer region → network → ICB / LMNS →
trust → unit, within what the viewer may see (`Seen`):

- a network-wide role (nurse specialist, network lead, administrator) sees its network and every organisation
  and unit in it: the networks `units.access.network_ids_for` gives it, as for every other door;
- a regional role (`units.access.REGIONAL_ROLES`) sees its region and all in it;
- a unit role sees its own units, and its network's figure beside them (as before).

Figures hold no patient data (every signed-in role sees the dashboards), so this decides what the picker and
breadcrumb offer and which network a page opens on; the case drill-downs keep their own access checks.

The organisations are those of `units.hierarchy` with every name (`Tree`), remembered per version of the
organisation tables (one query: their row counts and newest ids) and read again by every KPI run as it finishes
(`kpis.engine`), so a page costs one query for them; a name or placement edited in place shows after the next
KPI run (nightly), when the figures are attributed with it too, or within the cache's hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone

from core import memo
from kpis.definitions.base import ROLLUP_LEVELS, Level
from units.access import NETWORK_WIDE_ROLES, REGIONAL_ROLES, Action, UserLike, memberships, network_ids_for
from units.hierarchy import Hierarchy
from units.models import Network, Organisation, Unit, UnitPlacement

# Widest first: the order of the breadcrumb and of the picker.
DRILL_ORDER: tuple[Level, ...] = (Level.REGION, Level.NETWORK, Level.ICB, Level.LMNS, Level.TRUST, Level.BIRTH_UNIT,
                                  Level.COOLING_CENTRE, Level.TRANSPORT)
LEVEL_NAMES = {Level.REGION: "Region", Level.NETWORK: "Network", Level.ICB: "ICB", Level.LMNS: "LMNS",
               Level.TRUST: "Trust", Level.BIRTH_UNIT: "Unit", Level.COOLING_CENTRE: "Cooling centre",
               Level.TRANSPORT: "Transport service"}
UNIT_LEVELS = frozenset({Level.BIRTH_UNIT, Level.COOLING_CENTRE, Level.TRANSPORT})
# One level down from each organisation (drill-down), in steps: ICB and LMNS both hold trusts; a step with no
# organisation (no ICB or LMNS loaded) is skipped, so a network drills straight to its trusts.
_CHILDREN: dict[Level, tuple[tuple[Level, ...], ...]] = {
    Level.REGION: ((Level.NETWORK,),),
    Level.NETWORK: ((Level.ICB, Level.LMNS), (Level.TRUST,), (Level.BIRTH_UNIT,)),
    Level.ICB: ((Level.TRUST,), (Level.BIRTH_UNIT,)),
    Level.LMNS: ((Level.TRUST,), (Level.BIRTH_UNIT,)),
    Level.TRUST: ((Level.BIRTH_UNIT,),),
}


@dataclass(frozen=True, order=True)
class OrgRef:
    """One organisation figures are attributed to: a level and its code (an ODS code at the unit levels)."""

    level: Level
    code: str

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass(frozen=True)
class Tree:
    """The hierarchy and every organisation's and unit's name, read together once per version of the figures."""

    hierarchy: Hierarchy
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (level, code) → name; units by ODS code
    network_codes: dict[int, str] = field(default_factory=dict)  # Network id → code (access answers in ids)

    @classmethod
    def load(cls) -> Tree:
        names: dict[tuple[str, str], str] = {}
        for ods, short, trust, trust_name in Unit.objects.values_list("ods_code", "short_name", "trust_ods",
                                                                      "trust_name"):
            for level in UNIT_LEVELS:
                names[(level, ods)] = short
            if trust:  # a unit with no placement is in the trust of its own fields (units.hierarchy)
                names[(Level.TRUST, trust)] = trust_name or trust
        network_codes = {}
        for pk, code, name in Network.objects.values_list("pk", "code", "name"):
            names[(Level.NETWORK, code)] = name
            network_codes[pk] = code
        for kind, code, name in Organisation.objects.values_list("kind", "code", "name"):
            names[(kind, code)] = name  # OrgKind values are the level names (trust, lmns, icb, region)
        hierarchy = Hierarchy.load()
        on = today()
        for ods in hierarchy.unit_codes():  # a region known only by its code (`Network.region_code`)
            path = hierarchy.path(ods, on)
            for above, code in (path.as_dict() if path is not None else {}).items():
                names.setdefault((above, code), code)
        return cls(hierarchy, names, network_codes)

    def codes_of_networks(self, ids: Iterable[int]) -> frozenset[str]:
        return frozenset(code for pk in ids if (code := self.network_codes.get(pk)))

    def name(self, ref: OrgRef) -> str:
        return self.names.get((ref.level, ref.code), ref.code)

    def units_in(self, ref: OrgRef, on: date) -> list[str]:
        if ref.level in UNIT_LEVELS:
            return [ref.code]
        return self.hierarchy.units_in(ref.level, ref.code, on)

    def parents(self, ref: OrgRef, on: date) -> list[OrgRef]:
        """The organisations above `ref`, widest first (the breadcrumb), from the first of its units."""
        members = self.units_in(ref, on)
        path = self.hierarchy.path(members[0], on) if members else None
        if path is None:
            return []
        wider = DRILL_ORDER[:DRILL_ORDER.index(ref.level)] if ref.level in DRILL_ORDER else ()
        found = path.as_dict()
        return [OrgRef(level, found[level]) for level in wider if level in found]

    def children(self, ref: OrgRef, on: date) -> list[OrgRef]:
        """The organisations one level down (units for a trust), by name."""
        members = self.units_in(ref, on)
        for step in _CHILDREN.get(ref.level, ()):
            refs = set()
            for ods in members:
                path = self.hierarchy.path(ods, on)
                found = path.as_dict() if path is not None else {}
                for level in step:
                    code = ods if level == Level.BIRTH_UNIT else found.get(level)
                    if code:
                        refs.add(OrgRef(level, code))
            if refs:
                return sorted(refs, key=lambda r: (DRILL_ORDER.index(r.level), self.name(r)))
        return []

    def organisations(self, level: Level, on: date) -> list[OrgRef]:
        """Every organisation of the level on the date (the comparison table's rows), by name."""
        refs = set()
        for ods in self.hierarchy.unit_codes():
            if level in UNIT_LEVELS:
                refs.add(OrgRef(level, ods))
            elif (path := self.hierarchy.path(ods, on)) is not None and (code := path.as_dict().get(level)):
                refs.add(OrgRef(level, code))
        return sorted(refs, key=lambda r: self.name(r))


_TREE = "kpis.orgscope.tree.2"  # .2: with the network ids (a Tree cached by the code before has none)


def _version() -> str:
    """Changes when a unit, network, organisation or placement is added or deleted (one query)."""
    parts = [f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(id) FROM {t})" for t in (
        Unit._meta.db_table, Network._meta.db_table, Organisation._meta.db_table, UnitPlacement._meta.db_table)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        row = cursor.fetchone()
    return ".".join(str(value or 0) for value in (row or ()))


def tree() -> Tree:
    """The organisations and names (see the module docstring): one query when a run has prepared them."""
    return memo.remember(_TREE, _version(), Tree.load)


def warm_tree() -> Tree:
    """Read the organisations again and keep them for the pages (every KPI run calls it as it finishes)."""
    return memo.replace(_TREE, _version(), Tree.load())


def today() -> date:
    return timezone.localdate()


def user_network_codes(user: UserLike, shape: Tree | None = None) -> tuple[str, ...]:
    """The codes of the networks the user works in, whatever the role: the network of each unit they hold a role
    at (as `units.access` has it: `Unit.network`, which the organisations' loading keeps on the placement of
    the day). Named from the remembered tree, so no query beyond the memberships."""
    shape = shape or tree()
    return tuple(sorted(shape.codes_of_networks(m.unit.network_id for m in memberships(user))))


def network_wide_codes(user: UserLike, shape: Tree) -> frozenset[str]:
    """The networks whose every row a network-wide role of the user may read (`units.access.network_ids_for`
    with LIST, the same answer the case doors use; a regional role is read only and not listed there)."""
    return shape.codes_of_networks(network_ids_for(user, Action.LIST))


def network_codes() -> list[str]:
    """Every network's code, in order (one query when the figures changed, else none)."""
    return sorted(code for level, code in tree().names if level == Level.NETWORK)


def home_network(user: UserLike, shape: Tree | None = None) -> str:
    """The network a page opens on: the user's (the first by code when several), else the deployment's first."""
    shape = shape or tree()
    mine = user_network_codes(user, shape)
    if mine:
        return mine[0]
    networks = sorted(code for level, code in shape.names if level == Level.NETWORK)
    return networks[0] if networks else ""


def home_org(user: UserLike, shape: Tree | None = None) -> OrgRef:
    """What /kpis/ opens on: a regional lead's region (the first by code when several: they read every network
    of it, and their own network is only where their membership happens to sit), everyone else's network."""
    shape = shape or tree()
    roles = {m.role for m in memberships(user)}
    if roles and roles <= REGIONAL_ROLES:
        regions = sorted(Seen(user, shape, today()).regions)
        if regions:
            return OrgRef(Level.REGION, regions[0])
    return OrgRef(Level.NETWORK, home_network(user, shape))


def own_unit_codes(user: UserLike) -> frozenset[str]:
    """ODS codes of the units the user belongs to through a unit role (a network-wide role has no "own")."""
    return frozenset(m.unit.ods_code for m in memberships(user)
                     if m.role not in NETWORK_WIDE_ROLES and m.role not in REGIONAL_ROLES)


class Seen:
    """What the picker may offer one viewer on a date (see the module docstring)."""

    def __init__(self, user: UserLike, shape: Tree, on: date) -> None:
        self._tree, self._on = shape, on
        self.networks = network_wide_codes(user, shape)
        regional = {m.unit.ods_code for m in memberships(user) if m.role in REGIONAL_ROLES}
        self.regions = frozenset(p.region for ods in regional
                                 if (p := shape.hierarchy.path(ods, on)) is not None and p.region)
        self.units = own_unit_codes(user)
        self.unit_networks = frozenset(user_network_codes(user, shape))

    def _unit(self, ods: str) -> bool:
        if ods in self.units:
            return True
        path = self._tree.hierarchy.path(ods, self._on)
        return path is not None and (path.network in self.networks or path.region in self.regions)

    def allows(self, ref: OrgRef) -> bool:
        if ref.level == Level.REGION:
            return ref.code in self.regions
        if ref.level == Level.NETWORK and ref.code in self.networks | self.unit_networks:
            return True
        members = self._tree.units_in(ref, self._on)
        return bool(members) and all(self._unit(ods) for ods in members)


def label(ref: OrgRef, name: str) -> str:
    """How a picker lists an organisation: "Watford General (RWG02)", "Trust: West Hertfordshire (RWG)"."""
    return f"{name} ({ref.code})" if ref.level in UNIT_LEVELS else f"{ref.level_name}: {name} ({ref.code})"


def choice_value(ref: OrgRef) -> str:
    """A picker's value: a unit's ODS code alone (as before issue 18), "level:code" above the unit."""
    return ref.code if ref.level == Level.BIRTH_UNIT else f"{ref.level}:{ref.code}"


def parse_choice(value: str) -> OrgRef:
    """The inverse of `choice_value`; raises ValueError for an unknown level."""
    level, _, code = value.rpartition(":")
    return OrgRef(Level(level) if level else Level.BIRTH_UNIT, code)


__all__ = ["DRILL_ORDER", "LEVEL_NAMES", "ROLLUP_LEVELS", "OrgRef", "Seen", "Tree", "choice_value", "home_network",
           "home_org", "label", "network_wide_codes", "own_unit_codes", "parse_choice", "today", "tree",
           "user_network_codes"]
