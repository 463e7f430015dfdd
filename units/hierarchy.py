"""Which trust, LMNS, ICB, network and region a unit belonged to on a date (issue 18).

The one place that reads `UnitPlacement`: KPI levels above the unit, access by network and the board report
for any level all ask here. `Hierarchy.load()` reads every placement in three queries, so a full KPI
recompute resolves each case's organisations in memory.

A unit with no placement covering a date falls back to its own fields (`Unit.network`, `Unit.trust_ods`):
that is where every unit loaded before organisations became data sits, and it keeps one-network
deployments working with no reference file loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from units.models import Network, Organisation, OrgKind, Unit, UnitPlacement

# The levels above the unit, narrowest first. `network` is the operational delivery network; the region
# is the NHS England region of that network.
HIERARCHY_LEVELS: tuple[str, ...] = ("trust", "lmns", "icb", "network", "region")


@dataclass(frozen=True)
class OrgPath:
    """The organisations one unit sat in on one date, by code; None where it has none at that level."""

    trust: str | None
    lmns: str | None
    icb: str | None
    network: str
    region: str | None

    def as_dict(self) -> dict[str, str]:
        """Level → code, leaving out the levels the unit has no organisation at."""
        return {level: code for level in HIERARCHY_LEVELS if (code := getattr(self, level)) is not None}


@dataclass(frozen=True)
class _Span:
    valid_from: date | None
    valid_to: date | None
    path: OrgPath

    def covers(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


def _region_code(network: Network) -> str | None:
    if network.region is not None:
        return network.region.code
    return network.region_code or None


class Hierarchy:
    """Every unit's placements in memory, answering `path(ods, on)` without a query."""

    def __init__(self, spans: dict[str, list[_Span]], fallback: dict[str, OrgPath]) -> None:
        self._spans = spans
        self._fallback = fallback

    @classmethod
    def load(cls) -> Hierarchy:
        networks = {n.pk: n for n in Network.objects.select_related("region")}
        fallback = {
            unit.ods_code: OrgPath(trust=unit.trust_ods or None, lmns=None, icb=None,
                                   network=networks[unit.network_id].code,
                                   region=_region_code(networks[unit.network_id]))
            for unit in Unit.objects.only("ods_code", "trust_ods", "network_id")
        }
        spans: dict[str, list[_Span]] = defaultdict(list)
        placements = UnitPlacement.objects.select_related("unit", "trust", "lmns", "icb").order_by("valid_from")
        for p in placements:
            network = networks[p.network_id]
            path = OrgPath(trust=p.trust.code if p.trust else None, lmns=p.lmns.code if p.lmns else None,
                           icb=p.icb.code if p.icb else None, network=network.code, region=_region_code(network))
            spans[p.unit.ods_code].append(_Span(p.valid_from, p.valid_to, path))
        return cls(dict(spans), fallback)

    def path(self, unit_ods: str, on: date) -> OrgPath | None:
        """The unit's organisations on the date; None for a code that is no unit of this deployment."""
        for span in self._spans.get(unit_ods, ()):
            if span.covers(on):
                return span.path
        return self._fallback.get(unit_ods)

    def unit_codes(self) -> list[str]:
        """ODS codes of every unit of the deployment (issue 18: the dashboards' picker)."""
        return sorted(set(self._fallback) | set(self._spans))

    def units_in(self, level: str, code: str, on: date) -> list[str]:
        """ODS codes of the units that sat in the organisation on the date (drill-down)."""
        if level not in HIERARCHY_LEVELS:
            raise ValueError(f"unknown level {level!r}; one of {', '.join(HIERARCHY_LEVELS)}")
        units = set(self._fallback) | set(self._spans)
        return sorted(ods for ods in units if (p := self.path(ods, on)) is not None and getattr(p, level) == code)


def organisation_name(level: str, code: str) -> str:
    """A readable name for a level's code (dashboard headings); the code itself when it is unknown."""
    if level == "network":
        network = Network.objects.filter(code=code).first()
        return network.name if network else code
    kind = {"trust": OrgKind.TRUST, "lmns": OrgKind.LMNS, "icb": OrgKind.ICB, "region": OrgKind.REGION}[level]
    org = Organisation.objects.filter(kind=kind, code=code).first()
    return org.name if org else code
