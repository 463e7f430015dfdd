"""What a board report is for: a level and an organisation (issue 18), the KPI rows that hold its figures,
the units inside it, and the organisations a user may report on.

Levels: an NHS England region, an operational delivery network, an integrated care board (ICB), a local
maternity and neonatal system (LMNS) or an NHS trust ("areas", made of units), or one birth unit or cooling
centre. An area's figures are the `KpiAggregate` rows of its level and code; its units (on the last day of
the report's period, `units.hierarchy`) give its per-unit rows and filter the sections kept per unit
(training, family support, improvement actions).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kpis.definitions.base import Level
from units.access import Action, UserLike, memberships, network_wide_for
from units.hierarchy import Hierarchy, organisation_name
from units.models import Designation, Network, Organisation, OrgKind, Unit

# Widest first, as the report form lists them.
AREA_LEVELS: tuple[str, ...] = ("region", "network", "icb", "lmns", "trust")
UNIT_LEVELS: tuple[str, ...] = (Level.BIRTH_UNIT.value, Level.COOLING_CENTRE.value)
LEVEL_NAMES: dict[str, str] = {
    "region": "NHS England region", "network": "Network", "icb": "Integrated care board",
    "lmns": "Local maternity and neonatal system", "trust": "NHS trust", Level.BIRTH_UNIT.value: "Birth unit",
    Level.COOLING_CENTRE.value: "Cooling centre"}
_KINDS = {"region": OrgKind.REGION, "icb": OrgKind.ICB, "lmns": OrgKind.LMNS, "trust": OrgKind.TRUST}


def network_row_code(code: str) -> str:
    """The `org_code` of a network's KPI rows: the network's own code (issue 18; before the KPI engine stored
    each network under its code, the one network's rows were "network"). "" is the deployment's network."""
    return code or default_network_code()


def row_code(level: str, code: str) -> str:
    """The `org_code` of an area's KPI rows (a unit's is its ODS code)."""
    return network_row_code(code) if level == Level.NETWORK else code


def default_network_code() -> str:
    """The deployment's first network: the scope of every report made before reports had a level."""
    return Network.objects.order_by("pk").values_list("code", flat=True).first() or ""


def area_name(level: str, code: str) -> str:
    return organisation_name(level, code) if code else "East of England network"


def units_in(level: str, code: str, on: date) -> tuple[str, ...]:
    """ODS codes of the area's units on the day (the hierarchy's effective dates honoured)."""
    return tuple(Hierarchy.load().units_in(level, code, on))


# --- Who may report on what -------------------------------------------------------------------------------------


def _reportable_units(user: UserLike) -> set[str]:
    """Units whose figures the user may take to a board: every unit of the networks where the user holds a
    network-wide role that may report (administrators: every unit)."""
    if getattr(user, "is_superuser", False):
        return set(Unit.objects.values_list("ods_code", flat=True))
    if not network_wide_for(user, Action.REPORT):
        return set()
    networks = {m.unit.network_id for m in memberships(user)}
    return set(Unit.objects.filter(network_id__in=networks).values_list("ods_code", flat=True))


def _areas(level: str) -> Iterable[tuple[str, str]]:
    if level == "network":
        return Network.objects.order_by("name").values_list("code", "name")
    return Organisation.objects.filter(kind=_KINDS[level]).order_by("name").values_list("code", "name")


def choices_for(user: UserLike, on: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The organisations the user may report on, grouped by level (widest first): an area when every unit
    in it on the day is one the user may report on, and each such unit. Values are "level:code"."""
    allowed = _reportable_units(user)
    hierarchy = Hierarchy.load()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for level in AREA_LEVELS:
        found = [(f"{level}:{code}", name) for code, name in _areas(level)
                 if (inside := set(hierarchy.units_in(level, code, on))) and inside <= allowed]
        if found:
            groups.append((LEVEL_NAMES[level], found))
    units = Unit.objects.filter(ods_code__in=allowed).exclude(designation=Designation.TRANSPORT).order_by("short_name")
    groups.append((LEVEL_NAMES[Level.BIRTH_UNIT], [(f"{Level.BIRTH_UNIT}:{u.ods_code}", u.short_name)
                                                   for u in units]))
    centres = [(f"{Level.COOLING_CENTRE}:{u.ods_code}", u.short_name) for u in units if u.is_cooling_centre]
    if centres:
        groups.append((LEVEL_NAMES[Level.COOLING_CENTRE], centres))
    return groups
