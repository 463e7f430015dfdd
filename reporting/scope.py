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
from typing import TYPE_CHECKING

from kpis.definitions.base import Level
from units.access import Action, UserLike, network_ids_for
from units.hierarchy import Hierarchy, organisation_name
from units.models import Designation, Network, Organisation, OrgKind, Unit

if TYPE_CHECKING:
    from reporting.models import BoardReport

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


def name_areas(reports: Iterable[BoardReport]) -> None:
    """Give each area report its area's name (`BoardReport.scope_name`) from two queries for them all."""
    pending = [r for r in reports if r.org_id is None and r.area_code]
    codes = {r.area_code for r in pending}
    networks = dict(Network.objects.filter(code__in=codes).values_list("code", "name"))
    orgs = {(kind, code): name for kind, code, name in
            Organisation.objects.filter(code__in=codes).values_list("kind", "code", "name")}
    for report in pending:
        name = (networks.get(report.area_code) if report.level == Level.NETWORK
                else orgs.get((str(_KINDS.get(report.level, "")), report.area_code)))
        report._area_name = name or report.area_code  # type: ignore[attr-defined]  # read by scope_name


def units_in(level: str, code: str, on: date) -> tuple[str, ...]:
    """ODS codes of the area's units on the day (the hierarchy's effective dates honoured)."""
    return tuple(Hierarchy.load().units_in(level, code, on))


# --- Who may report on what -------------------------------------------------------------------------------------


def reportable_units(user: UserLike) -> set[str]:
    """Units whose figures the user may take to a board: every unit of the networks where the user holds a
    network-wide role that may report (administrators: every unit)."""
    if getattr(user, "is_superuser", False):
        return set(Unit.objects.values_list("ods_code", flat=True))
    # The networks where a role of the user grants REPORT, not every network the user has a membership in.
    networks = network_ids_for(user, Action.REPORT)
    if not networks:
        return set()
    return set(Unit.objects.filter(network_id__in=networks).values_list("ods_code", flat=True))


def _areas(level: str) -> Iterable[tuple[str, str]]:
    if level == "network":
        return Network.objects.order_by("name").values_list("code", "name")
    return Organisation.objects.filter(kind=_KINDS[level]).order_by("name").values_list("code", "name")


def areas_within(allowed: set[str], on: date) -> dict[str, list[tuple[str, str]]]:
    """Per area level (widest first), the (code, name) of each area with units on the day, every one of them
    in `allowed` (ODS codes): the areas a user whose units those are may report on, and read reports of."""
    hierarchy = Hierarchy.load()
    return {level: [(code, name) for code, name in _areas(level)
                    if (inside := set(hierarchy.units_in(level, code, on))) and inside <= allowed]
            for level in AREA_LEVELS}


def choices_for(user: UserLike, on: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The organisations the user may report on, grouped by level (widest first): an area when every unit
    in it on the day is one the user may report on, and each such unit. Values are "level:code"."""
    allowed = reportable_units(user)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for level, areas in areas_within(allowed, on).items():
        if areas:
            groups.append((LEVEL_NAMES[level], [(f"{level}:{code}", name) for code, name in areas]))
    units = Unit.objects.filter(ods_code__in=allowed).exclude(designation=Designation.TRANSPORT).order_by("short_name")
    groups.append((LEVEL_NAMES[Level.BIRTH_UNIT], [(f"{Level.BIRTH_UNIT}:{u.ods_code}", u.short_name)
                                                   for u in units]))
    centres = [(f"{Level.COOLING_CENTRE}:{u.ods_code}", u.short_name) for u in units if u.is_cooling_centre]
    if centres:
        groups.append((LEVEL_NAMES[Level.COOLING_CENTRE], centres))
    return groups
