"""Writes to units: loading organisations reference files (the East of England is the default network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from units.models import Network, Organisation, OrgKind, Unit, UnitPlacement
from units.organisations import LineError, NetworkRow, UnitRow, parse
from units.reference import NETWORK

REFERENCE_DIR = Path(__file__).resolve().parent / "reference" / "organisations"
EAST_OF_ENGLAND_FILE = REFERENCE_DIR / "east_of_england.csv"
LONDON_FILE = REFERENCE_DIR / "london.csv"


class OrganisationsFileError(ValueError):
    """The file has errors (every one, with its line and column); nothing was written."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class LoadSummary:
    """What a load did, by kind of row: created, updated, unchanged (never deleted)."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, state: str) -> None:
        bucket: dict[str, int] = getattr(self, state)
        bucket[kind] = bucket.get(kind, 0) + 1

    def __str__(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return "; ".join(f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated, "
                         f"{self.unchanged.get(kind, 0)} unchanged" for kind in kinds)


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    """Whether a field holds another value; a foreign key compares ids (no query for the related row)."""
    if isinstance(value, models.Model) or (value is None and hasattr(obj, f"{name}_id")):
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    current = getattr(obj, name)
    if isinstance(value, Decimal) and current is not None:
        return Decimal(current) != value
    return bool(current != value)


def _apply(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when something changed (so an unchanged row is not written)."""
    changed = [name for name, value in values.items() if obj.pk is None or _differs(obj, name, value)]
    for name in changed:
        setattr(obj, name, values[name])
    return bool(changed)


def _save(obj: models.Model, values: dict[str, Any], kind: str, summary: LoadSummary,
          new: list[Any] | None = None) -> None:
    """Update a changed row at once; a new one is saved now, or added to `new` for one bulk insert."""
    if obj.pk is None:
        _apply(obj, values)
        if new is None:
            obj.save()
        else:
            new.append(obj)
        summary.count(kind, "created")
    elif _apply(obj, values):
        obj.save()
        summary.count(kind, "updated")
    else:
        summary.count(kind, "unchanged")


def _current(rows: list[UnitRow]) -> UnitRow:
    """The unit's placement of today: the open-ended row, else the latest to start."""
    open_ended = [r for r in rows if r.valid_to is None]
    return max(open_ended or rows, key=lambda r: (r.valid_from is not None, r.valid_from))


def _network_values(row: NetworkRow, regions: dict[str, Organisation]) -> dict[str, Any]:
    region = regions.get(row.region)
    return {"name": row.name, "short_name": row.short_name, "region": region, "region_code": row.region,
            "valid_from": row.valid_from, "valid_to": row.valid_to}


def _unit_values(row: UnitRow, network: Network, trusts: dict[str, Organisation]) -> dict[str, Any]:
    trust = trusts.get(row.trust)
    return {"network": network, "name": row.name, "short_name": row.short_name,
            "trust_name": trust.name if trust else "", "trust_ods": row.trust,
            "former_ods_codes": ",".join(row.former_codes), "designation": row.designation,
            "is_cooling_centre": row.cooling_centre, "latitude": row.latitude, "longitude": row.longitude}


@transaction.atomic
def organisations_load(text: str) -> LoadSummary:
    """Create or update, by code, every organisation, network, unit and unit placement of the file; never
    deletes. All or nothing: a file with any error raises OrganisationsFileError and writes nothing. A unit's
    own network and trust follow its placement of today (units.hierarchy reads the placements by date)."""
    orgs = {(o.kind, o.code): o for o in Organisation.objects.all()}
    networks = {n.code: n for n in Network.objects.all()}
    known: dict[str, set[str]] = {kind: {code for k, code in orgs if k == kind} for kind in OrgKind.values}
    known["network"] = set(networks)
    parsed, errors = parse(text, known)
    if errors:
        raise OrganisationsFileError(errors)
    summary = LoadSummary()
    new_orgs: list[Organisation] = []
    for org_row in parsed.organisations:
        org = orgs.get((org_row.kind, org_row.code)) or Organisation(kind=org_row.kind, code=org_row.code)
        _save(org, {"name": org_row.name, "valid_from": org_row.valid_from, "valid_to": org_row.valid_to},
              org_row.kind, summary, new_orgs)
        orgs[(org_row.kind, org_row.code)] = org
    Organisation.objects.bulk_create(new_orgs)  # a fresh test database loads the network in a few queries
    by_kind = {kind: {code: o for (k, code), o in orgs.items() if k == kind} for kind in OrgKind.values}
    by_name = {n.name: n for n in networks.values()}
    for network_row in parsed.networks:
        # By code, else by name: a network made before codes were data got a derived code (migration 0004,
        # "East of England" → "EE"), which the file's code replaces.
        network = networks.get(network_row.code) or by_name.get(network_row.name) or Network()
        values = {"code": network_row.code, **_network_values(network_row, by_kind[OrgKind.REGION])}
        _save(network, values, "network", summary)
        networks[network_row.code] = network
    _load_units(parsed.units, networks, by_kind, summary)
    return summary


def _load_units(rows: list[UnitRow], networks: dict[str, Network], by_kind: dict[str, dict[str, Organisation]],
                summary: LoadSummary) -> None:
    grouped: dict[str, list[UnitRow]] = {}
    for row in rows:
        grouped.setdefault(row.ods, []).append(row)
    units = {u.ods_code: u for u in Unit.objects.filter(ods_code__in=grouped)}
    placements = {(p.unit_id, p.valid_from): p for p in UnitPlacement.objects.filter(unit__ods_code__in=grouped)}
    new_units: list[Unit] = []
    for ods, unit_rows in grouped.items():
        current = _current(unit_rows)
        unit = units.setdefault(ods, Unit(ods_code=ods))
        _save(unit, _unit_values(current, networks[current.network], by_kind[OrgKind.TRUST]), "unit", summary,
              new_units)
    Unit.objects.bulk_create(new_units)
    new_placements: list[UnitPlacement] = []
    for ods, unit_rows in grouped.items():
        unit = units[ods]
        for row in unit_rows:
            placement = placements.get((unit.pk, row.valid_from)) or UnitPlacement(unit=unit, valid_from=row.valid_from)
            _save(placement, {"network": networks[row.network], "trust": by_kind[OrgKind.TRUST].get(row.trust),
                              "lmns": by_kind[OrgKind.LMNS].get(row.lmns), "icb": by_kind[OrgKind.ICB].get(row.icb),
                              "valid_to": row.valid_to}, "placement", summary, new_placements)
    UnitPlacement.objects.bulk_create(new_placements)


def organisations_load_file(path: str | Path) -> LoadSummary:
    """`organisations_load` of a file on disk (UTF-8, with or without a byte-order mark)."""
    return organisations_load(Path(path).read_text(encoding="utf-8-sig"))


def network_load_reference() -> Network:
    """Create or update the East of England network, its units and their organisations from the reference
    file (`units/reference/organisations/east_of_england.csv`, which agrees with units.reference)."""
    organisations_load_file(EAST_OF_ENGLAND_FILE)
    return Network.objects.get(code=NETWORK["code"])
