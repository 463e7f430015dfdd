"""National-scale synthetic data: ~150 units in one or more networks and ~20,000 cooled babies over five years.

With `networks` > 1 (issue 18: `python -m bench.kpis --networks 10`) the units are dealt round the networks,
which sit in two regions, each network with one ICB and one LMNS, and every three of a network's units in one
trust, all as `UnitPlacement` rows: the KPI run then computes every level (trust, LMNS, ICB, network, region).

The clinical values come from the demo generator (`pathway.demo.generate`, domain.md §9), which draws
one East of England network: 3 cooling centres and 14 referring units. The bench runs it again and again
with different seeds ("replicas") and maps each replica's 17 EoE codes onto a different slice of the
synthetic units, so every unit gets cases and every case keeps the demo's distributions and ordering
rules. At 20,000 cooled babies in 5 years this is about 4 times the national activity (≈1,050 a year in
England and Wales): a stress test, not a forecast.

Cases are bulk-created, not written through `pathway.services.case_create`: the service saves one case
per transaction with an audit row and a queued recompute, which would take most of an hour here and
measures the service, not the KPI engine. To keep the rows honest anyway, every row is checked with
`pathway.rules.hard_violations` (the cross-field rules the service applies), a sample also gets the
service's field validation (`full_clean`), and the bench stops if any of them fails.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.fields import DateTimeField
from django.db.models.functions import Least
from django.utils import timezone

from pathway import demo, rules, services
from pathway.demo_journey import TRANSPORT_SERVICE
from pathway.models import Case
from units.models import Designation, Network, Organisation, OrgKind, Unit, UnitPlacement

YEARS = 5
CENTRE_SHARE = 0.3  # 45 of 150 units are cooling centres
SITES_PER_TRUST = 3
BULK_BATCH = 2000
# The demo's unit codes, in a fixed order, so a replica's mapping depends only on its number.
DEMO_CENTRES = sorted(demo.CENTRE_BIRTHS)
DEMO_REFERRING = sorted(demo.REFERRING_BIRTHS)
# Bench cases were "saved" long ago (see `backdate`); a case saved this close to the run counts as changed.
QUIET_BEFORE_RUN = timedelta(days=1)
# Shares of cooled babies made into cross-check edge cases (see `_edge_case`).
EDGE_MISSING = 0.02  # no cooling start recorded (domain.md §9: 2–5% missing timestamps)
EDGE_BOUNDARY = 0.01  # cooling start exactly 360 or 361 minutes after time zero
# Fields set by the system, which `full_clean` must not judge (as in pathway.services).
_SYSTEM_FIELDS = ["stage", "dq_flags", "entered_in_error", "entered_in_error_reason", "version",
                  "created_by", "updated_by"]


@dataclass(frozen=True)
class BenchUnits:
    centres: list[Unit]
    referring: list[Unit]
    transport: list[Unit]  # one transport service per network (the demo's PaNDR moves outborn babies)

    def for_replica(self, replica: int) -> dict[str, Unit]:
        """The demo's 17 ODS codes mapped to a slice of the bench units that moves on every replica, and its
        transport service to one bench service."""
        mapping = {code: self.centres[(replica * len(DEMO_CENTRES) + i) % len(self.centres)]
                   for i, code in enumerate(DEMO_CENTRES)}
        mapping.update({code: self.referring[(replica * len(DEMO_REFERRING) + i) % len(self.referring)]
                        for i, code in enumerate(DEMO_REFERRING)})
        mapping[TRANSPORT_SERVICE] = self.transport[replica % len(self.transport)]
        return mapping


def _unit(network: Network, index: int, *, centre: bool, trust: str) -> Unit:
    kind = "Cooling centre" if centre else "Neonatal unit"
    designation = Designation.NICU if centre else (Designation.LNU, Designation.SCU, Designation.LNU)[index % 3]
    return Unit(network=network, ods_code=f"ZX{index:03d}", name=f"Bench {kind} {index:03d}",
                short_name=f"Bench {index:03d}", trust_name=f"Bench Trust {trust}", trust_ods=trust,
                designation=designation, is_cooling_centre=centre)


def _organisation(kind: str, code: str, name: str) -> Organisation:
    return Organisation.objects.create(kind=kind, code=code, name=name)


def _networks(count: int) -> list[Network]:
    """`count` networks in two regions (one region for one network), each with an ICB and an LMNS of its own
    (`_network_orgs`). One network keeps the single-network bench as it was (code BENCH, no region object)."""
    if count == 1:
        return [Network.objects.create(name="Bench national network (synthetic)", short_name="Bench",
                                       code="BENCH")]
    regions = [_organisation(OrgKind.REGION, f"BR{r}", f"Bench region {r}") for r in range(2)]
    return [Network.objects.create(name=f"Bench network {n:02d} (synthetic)", short_name=f"Bench {n:02d}",
                                   code=f"BN{n:02d}", region=regions[n % 2]) for n in range(count)]


def create_units(count: int, networks: int = 1) -> BenchUnits:
    """`count` synthetic units with fake ODS-like codes (ZX000…), 30% of them cooling centres, dealt round
    `networks` networks (unit i in network i mod networks, so each network has its share of centres); every
    three units of a network make a trust (T + network + number)."""
    if count < 4 or count < 2 * networks:
        raise SystemExit("--units must be at least 4, and at least 2 per network")
    n_centres = max(1, round(count * CENTRE_SHARE))
    made = _networks(networks)

    def trust_of(i: int) -> str:
        return f"T{i % networks:02d}{(i // networks) // SITES_PER_TRUST:02d}"

    units = Unit.objects.bulk_create(
        _unit(made[i % networks], i, centre=i < n_centres, trust=trust_of(i)) for i in range(count))
    if networks > 1:
        _place(units, made, trust_of)
    transport = Unit.objects.bulk_create(
        Unit(network=network, ods_code=f"ZXT{n:02d}", name=f"Bench transport service {n:02d}",
             short_name=f"Bench transport {n:02d}", trust_name="Bench transport", trust_ods=f"ZTT{n:02d}",
             designation=Designation.TRANSPORT) for n, network in enumerate(made))
    return BenchUnits(centres=units[:n_centres], referring=units[n_centres:], transport=transport)


def _place(units: Sequence[Unit], networks: Sequence[Network], trust_of: Any) -> None:
    """Trust, LMNS and ICB organisations and one open-ended placement per unit (issue 18)."""
    icbs = {n.pk: _organisation(OrgKind.ICB, f"BQ{i:02d}", f"Bench ICB {i:02d}") for i, n in enumerate(networks)}
    lmns = {n.pk: _organisation(OrgKind.LMNS, f"BL{i:02d}", f"Bench LMNS {i:02d}") for i, n in enumerate(networks)}
    codes = sorted({trust_of(i) for i in range(len(units))})
    trusts = {o.code: o for o in Organisation.objects.bulk_create(
        Organisation(kind=OrgKind.TRUST, code=code, name=f"Bench Trust {code}") for code in codes)}
    UnitPlacement.objects.bulk_create(
        UnitPlacement(unit=unit, network_id=unit.network_id, trust=trusts[trust_of(i)], lmns=lmns[unit.network_id],
                      icb=icbs[unit.network_id]) for i, unit in enumerate(units))


def load_units() -> BenchUnits:
    units = list(Unit.objects.order_by("ods_code"))
    transport = [u for u in units if u.designation == Designation.TRANSPORT]
    return BenchUnits(centres=[u for u in units if u.is_cooling_centre],
                      referring=[u for u in units if not u.is_cooling_centre and u not in transport],
                      transport=transport)


# --- cases ------------------------------------------------------------------------------------------------


def _replicas(seed: int, as_of: date) -> Iterator[tuple[int, dict[str, Any]]]:
    replica = 0
    while True:
        for values in demo.generate(random.Random(seed * 100_003 + replica), as_of=as_of, years=YEARS):
            yield replica, values
        replica += 1


def _unique_nhs_number(values: dict[str, Any], seen: set[str], rng: random.Random) -> None:
    """Replicas draw NHS numbers independently; a clash across replicas gets a fresh test-range number."""
    number = values["nhs_number"]
    while number and number in seen:
        number = demo.nhs_number(rng)
    if number:
        seen.add(number)
    values["nhs_number"] = number


def draw(*, babies: int, seed: int, as_of: date, units: BenchUnits) -> list[dict[str, Any]]:
    """Case values (units resolved) until `babies` cooled babies are drawn, with the non-cooled ones
    the demo draws alongside them (referred but not cooled, ~17%)."""
    rows: list[dict[str, Any]] = []
    cooled, seen, rng = 0, set[str](), random.Random(seed)
    mappings: dict[int, dict[str, Unit]] = {}
    for replica, values in _replicas(seed, as_of):
        is_cooled = values["therapeutic_hypothermia"] == "yes"
        if is_cooled and cooled == babies:
            break
        cooled += is_cooled
        mapping = mappings.setdefault(replica, units.for_replica(replica))
        values["case_ref"] = f"BN{replica:03d}-{values['case_ref']}"
        _unique_nhs_number(values, seen, rng)
        rows.append(demo.resolve_units(values, mapping))
    return rows


def _edge_case(values: dict[str, Any], draw: float) -> None:
    """Turn a cooled baby into one the `cooling_started_6h` cross-check must get right.

    The demo never leaves cooling starts empty (blanking one could put the earliest start after the
    target time) and rarely lands on the 6-hour boundary, so without these the check would not test the
    `missing` branch or "≤ 360 minutes, inclusive, on exact instants". Both starts are blanked together,
    and a moved start never passes the target time, so every ordering rule still holds.
    """
    zero = values.get("postnatal_collapse_datetime") or values["birth_datetime"]
    if draw < EDGE_MISSING:
        values.pop("passive_cooling_start", None)
        values.pop("active_cooling_start", None)
        return
    minutes = 360 if draw < EDGE_MISSING + EDGE_BOUNDARY / 2 else 361
    # In UTC: two Europe/London datetimes compare and add on the wall clock (wrong on clock-change nights).
    start = zero.astimezone(UTC) + timedelta(minutes=minutes)
    target = values.get("target_temp_reached")
    if target is None or target.astimezone(UTC) >= start:
        values.pop("passive_cooling_start", None)
        values["active_cooling_start"] = start


def add_edge_cases(rows: Sequence[dict[str, Any]], *, seed: int) -> int:
    """Edge cases for the cross-check in a small share of cooled babies; returns how many were changed."""
    rng = random.Random(seed)
    changed = 0
    for values in rows:
        draw = rng.random()
        if values["therapeutic_hypothermia"] == "yes" and draw < EDGE_MISSING + EDGE_BOUNDARY:
            _edge_case(values, draw)
            changed += 1
    return changed


def _case(values: Mapping[str, Any]) -> Case:
    case = Case(**values)
    # What pathway.services sets on every save (its `_finish`): data-quality flags and stage.
    case.dq_flags = rules.soft_flags(values)
    case.stage = case.derive_stage()
    return case


def build(rows: Sequence[Mapping[str, Any]]) -> list[Case]:
    return [_case(values) for values in rows]


def validate(cases: Sequence[Case], *, sample: int, seed: int) -> int:
    """Every case through the hard rules, a sample also through field validation; raise on any error.

    Returns how many cases got the full field validation.
    """
    failures: list[str] = []
    for case in cases:
        failures += [f"{case.case_ref}: {v.field} {v.rule}" for v in rules.hard_violations(services.case_values(case))]
    chosen = random.Random(seed).sample(list(cases), min(sample, len(cases)))
    for case in chosen:
        try:
            case.full_clean(exclude=_SYSTEM_FIELDS, validate_unique=False, validate_constraints=False)
        except Exception as exc:
            failures.append(f"{case.case_ref}: {exc}")
    if failures:
        shown = "\n  ".join(failures[:20])
        raise SystemExit(f"{len(failures)} generated cases break the dataset rules; first ones:\n  {shown}")
    return len(chosen)


@transaction.atomic
def insert(cases: Sequence[Case]) -> None:
    Case.objects.bulk_create(cases, batch_size=BULK_BATCH)
    backdate()


def backdate() -> None:
    """Make every case look saved weeks after birth, and at least a day before the run.

    A KPI run re-reads, under its write lock, the cases saved since it began reading (minus a margin):
    cases inserted seconds before the run would all count as changed and be evaluated twice, which a
    nightly run never sees.
    """
    cutoff = Value(timezone.now() - QUIET_BEFORE_RUN, output_field=DateTimeField())
    saved = Least(F("birth_datetime") + timedelta(days=30), cutoff, output_field=DateTimeField())
    Case.objects.update(created_at=saved, updated_at=saved)
