"""KPI levels above the unit (issue 18; kpis.md "Levels", "v2 additions"): trust, LMNS, ICB, network (by its
code) and region, for HIE and POP.

The data: two networks in two regions (East of England "EOE" in Y61, South London "SLN" in Y56), Watford
(RWG02) moving from its trust RWG to RWH on 1 July 2024, and a baby born at Lewisham (SLN) and cooled at
Addenbrooke's (EOE). Every organisation's figure for every KPI and period must equal the sum of the unit
figures of the units it held in those months: a unit that moved counts under each trust for its own months.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.definitions.base import ROLLUP_LEVELS, Level
from kpis.models import CaseAttribution, KpiAggregate
from kpis.periods import PeriodType, month_end
from kpis.registry import RATE_PER
from kpis.services import compute
from pathway.services import case_create
from pop import services as pop_services
from pop.kpis import registry as pop_registry
from pop.tests.factories import pop_values
from units.births import live_births_record
from units.hierarchy import Hierarchy
from units.models import Designation, Network, Organisation, OrgKind, Unit, UnitPlacement

AS_OF = date(2025, 1, 31)  # a month end: the run date's rolling window is whole months too
MOVE = date(2024, 7, 1)  # Watford joins trust RWH
COUNTS = ("numerator", "denominator", "not_eligible", "missing", "n")

pytestmark = pytest.mark.django_db


def _org(kind: str, code: str, name: str) -> Organisation:
    """The organisation (the East of England reference file loads some of them already)."""
    return Organisation.objects.get_or_create(kind=kind, code=code, defaults={"name": name})[0]


@pytest.fixture
def regions(people: Personas) -> dict[str, Organisation]:
    """Two regions, two networks, trusts, ICBs and LMNS, Watford's move and two South London units."""
    orgs = {code: _org(kind, code, name) for kind, code, name in [
        (OrgKind.REGION, "Y61", "East of England"), (OrgKind.REGION, "Y56", "London"),
        (OrgKind.TRUST, "RWG", "West Hertfordshire"), (OrgKind.TRUST, "RWH", "East and North Hertfordshire"),
        (OrgKind.TRUST, "RJ2", "Lewisham and Greenwich"), (OrgKind.TRUST, "RJZ", "King's College Hospital"),
        (OrgKind.ICB, "QM7", "Hertfordshire and West Essex ICB"), (OrgKind.ICB, "QKK", "South East London ICB"),
        (OrgKind.LMNS, "LHWE", "Hertfordshire and West Essex LMNS"), (OrgKind.LMNS, "LSEL", "South East London LMNS"),
    ]}
    eoe = Network.objects.get(code="EOE")
    eoe.region = orgs["Y61"]
    eoe.save()
    sln = Network.objects.create(name="South London Neonatal ODN", short_name="South London", code="SLN",
                                 region=orgs["Y56"])
    for ods, short, trust, designation, centre in (("RJZ01", "King's", "RJZ", Designation.NICU, True),
                                                   ("RJ224", "Lewisham", "RJ2", Designation.LNU, False)):
        unit = Unit.objects.create(network=sln, ods_code=ods, name=short, short_name=short, trust_name=trust,
                                   trust_ods=trust, designation=designation, is_cooling_centre=centre)
        UnitPlacement.objects.create(unit=unit, network=sln, trust=orgs[trust], lmns=orgs["LSEL"], icb=orgs["QKK"])
    watford = Unit.objects.get(ods_code="RWG02")
    UnitPlacement.objects.filter(unit=watford).delete()  # the reference file's one placement, replaced by two
    UnitPlacement.objects.create(unit=watford, network=eoe, trust=orgs["RWG"], lmns=orgs["LHWE"], icb=orgs["QM7"],
                                 valid_to=MOVE - timedelta(days=1))
    UnitPlacement.objects.create(unit=watford, network=eoe, trust=orgs["RWH"], lmns=orgs["LHWE"], icb=orgs["QM7"],
                                 valid_from=MOVE)
    return orgs


def _born(month: int, day: int = 14) -> datetime:
    return datetime(2024, month, day, 3, 10, tzinfo=LONDON)


# (birth unit, centre, birth month, overrides): met, not met, missing and not eligible for several KPIs.
_CASES: list[tuple[str, str, int, dict[str, Any]]] = [
    ("RWG02", "RGT01", 3, {}),
    ("RWG02", "RGT01", 5, {"placenta_sent": "unknown", "hie_grade": 3}),
    ("RWG02", "RGT01", 6, {"passive_cooling_start": None, "active_cooling_start": _born(6) + timedelta(minutes=380),
                           "target_temp_reached": _born(6) + timedelta(minutes=420),
                           "rewarming_start": _born(6) + timedelta(minutes=420 + 72 * 60),
                           "rewarming_end": _born(6) + timedelta(minutes=420 + 80 * 60)}),
    ("RWG02", "RGT01", 8, {"target_temp_reached": None, "rewarming_start": None, "rewarming_end": None,
                           "outcome": "died", "death_datetime": _born(8) + timedelta(hours=20),
                           "discharge_datetime": None, "mri_performed": "no", "mri_datetime": None}),
    ("RWG02", "RGT01", 11, {"mnsi_referred": ""}),
    ("RGT01", "RGT01", 5, {"transport_cooling": "", "core_monitoring_start": None}),
    ("RDE03", "RGT01", 9, {"lowest_temp_before_arrival_c": None}),
    ("RJ224", "RGT01", 7, {}),  # born in South London, cooled in the East of England
    ("RJ224", "RJZ01", 2, {"placenta_sent": "no"}),
    ("RJZ01", "RJZ01", 10, {"hie_grade": 2}),
    ("RJ224", "RJZ01", 12, {"arrival_temp_c": None}),
]


def _case_values(unit: str, centre: str, month: int, overrides: dict[str, Any]) -> dict[str, Any]:
    values = cooled_case_values(birth=_born(month), birth_unit=unit, centre=centre)
    if unit == centre:  # inborn: no transfer
        for name in ("referral_datetime", "depart_referring_datetime", "arrive_centre_datetime", "arrival_temp_c",
                     "lowest_temp_before_arrival_c", "transport_cooling"):
            values[name] = "" if name == "transport_cooling" else None
    values.update(overrides)
    return values


@pytest.fixture
def hie(regions: dict[str, Organisation], people: Personas) -> None:
    for unit, centre, month, overrides in _CASES:
        case_create(values=_case_values(unit, centre, month, overrides), by=people.admin_user)
    for ods, births in (("RWG02", 2400), ("RJ224", 3100), ("RGT01", 5600)):
        live_births_record(unit=Unit.objects.get(ods_code=ods), year=2024, live_births=births, by=people.admin_user)
    compute(as_of=AS_OF)


@pytest.fixture
def pop(regions: dict[str, Organisation], people: Personas) -> None:
    for unit, month, overrides in (("RWG02", 4, {}), ("RWG02", 6, {"cord_clamping_seconds": 20}),
                                   ("RWG02", 9, {"cord_clamping_seconds": None}), ("RWG02", 9, {}),
                                   ("RJ224", 7, {"first_temp_c": None}), ("RGT01", 8, {"gestation_weeks": 25}),
                                   ("RJZ01", 10, {})):
        pop_services.pop_create(values=pop_values(birth=_born(month), birth_unit=unit, **overrides),
                                by=people.admin_user)
    pop_services.compute_pop_kpis(as_of=AS_OF)


def _counts(row: KpiAggregate) -> Counter[str]:
    return Counter({name: getattr(row, name) or 0 for name in COUNTS})


def _months(row: KpiAggregate) -> Iterator[date]:
    month = row.period_start
    while month <= row.period_end:
        yield month
        month = month_end(month) + timedelta(days=1)


def _checked(codes: set[str]) -> int:
    """Assert every roll-up figure of these codes is the sum of its units' monthly figures; returns how many."""
    tree = Hierarchy.load()
    rows = list(KpiAggregate.objects.filter(kpi__in=codes))
    unit_month = {(r.kpi, r.org_code, r.period_start): r for r in rows
                  if r.level == Level.BIRTH_UNIT and r.period_type == PeriodType.MONTH}
    unit_year = {(r.kpi, r.org_code, r.period_key): r for r in rows if r.level == Level.BIRTH_UNIT}
    checked = 0
    for row in rows:
        if row.level not in ROLLUP_LEVELS:
            continue
        assert row.period_start.day == 1 and row.period_end == month_end(row.period_end), row
        if row.kpi in RATE_PER:
            # A unit-year of live births counts whole at the organisations the unit sat in on the year's last day.
            parts = [unit_year[(row.kpi, ods, row.period_key)]
                     for ods in tree.units_in(row.level, row.org_code, row.period_end)
                     if (row.kpi, ods, row.period_key) in unit_year]
        else:
            parts = [unit_month[(row.kpi, ods, month)] for month in _months(row)
                     for ods in tree.units_in(row.level, row.org_code, month) if (row.kpi, ods, month) in unit_month]
        assert parts, f"{row} has no unit figures"
        assert _counts(row) == sum((_counts(p) for p in parts), Counter()), row
        checked += 1
    return checked


def _levels(codes: set[str]) -> set[tuple[str, str]]:
    return set(KpiAggregate.objects.filter(kpi__in=codes).exclude(level__in=[Level.BIRTH_UNIT, Level.COOLING_CENTRE,
                                                                               Level.TRANSPORT])
               .values_list("level", "org_code").distinct())


def test_every_hie_level_is_the_sum_of_its_units(hie: None) -> None:
    codes = set(KpiAggregate.objects.filter(level=Level.COOLING_CENTRE).values_list("kpi", flat=True))
    codes |= set(RATE_PER)
    assert _levels(codes) >= {("network", "EOE"), ("network", "SLN"), ("region", "Y61"), ("region", "Y56"),
                              ("trust", "RWG"), ("trust", "RWH"), ("trust", "RJ2"), ("trust", "RJZ"), ("icb", "QM7"),
                              ("icb", "QKK"), ("lmns", "LHWE"), ("lmns", "LSEL"), ("trust", "RGT")}
    assert _checked(codes) > 1000


def test_every_pop_level_is_the_sum_of_its_units(pop: None) -> None:
    codes = set(pop_registry.CODES)
    assert _levels(codes) >= {("network", "EOE"), ("network", "SLN"), ("region", "Y61"), ("region", "Y56"),
                              ("trust", "RWG"), ("trust", "RWH"), ("icb", "QM7"), ("lmns", "LSEL")}
    assert _checked(codes) > 300


def _figure(kpi: str, level: str, org: str, period: str) -> tuple[int, int, int, int]:
    row = KpiAggregate.objects.get(kpi=kpi, level=level, org_code=org, period_key=period)
    return row.numerator, row.denominator, row.not_eligible, row.missing


def test_a_unit_that_moved_trust_reports_under_each_for_its_own_months(hie: None) -> None:
    # Watford's babies: March, May, June under RWG (one cooled after 6 h); August and November under RWH.
    assert _figure("cooling_started_6h", "trust", "RWG", "2024") == (2, 3, 0, 0)
    assert _figure("cooling_started_6h", "trust", "RWH", "2024") == (2, 2, 0, 0)
    assert _figure("cooling_started_6h", "birth_unit", "RWG02", "2024") == (4, 5, 0, 0)
    assert _figure("cooling_started_6h", "trust", "RWG", "2024-Q2") == (1, 2, 0, 0)
    assert not KpiAggregate.objects.filter(level="trust", org_code="RWH", period_key="2024-Q2").exists()
    assert not KpiAggregate.objects.filter(level="trust", org_code="RWG", period_key="2024-Q3").exists()
    # The ICB did not change: all five.
    assert _figure("cooling_started_6h", "icb", "QM7", "2024") == (4, 5, 0, 0)
    # The attribution stored for on-demand figures agrees.
    august = CaseAttribution.objects.get(birth_unit_code="RWG02", born=date(2024, 8, 14))
    assert (august.trust_code, august.icb_code, august.network_code, august.region_code) == ("RWH", "QM7", "EOE",
                                                                                             "Y61")


def test_a_cross_boundary_baby_counts_at_its_birth_units_network_and_at_the_centre(hie: None) -> None:
    # Born at Lewisham (South London) in July, cooled at Addenbrooke's (East of England).
    july = "2024-07"
    assert _figure("cooling_started_6h", "network", "SLN", july) == (1, 1, 0, 0)
    assert _figure("cooling_started_6h", "region", "Y56", july) == (1, 1, 0, 0)
    assert not KpiAggregate.objects.filter(level="network", org_code="EOE", period_key=july).exists()
    assert _figure("cooling_started_6h", "cooling_centre", "RGT01", july) == (1, 1, 0, 0)
    # The year: EOE has its own seven babies (Watford's June baby cooled late); SLN its four, one of them cooled
    # in the East of England.
    assert _figure("cooling_started_6h", "network", "EOE", "2024") == (6, 7, 0, 0)
    assert _figure("cooling_started_6h", "network", "SLN", "2024") == (4, 4, 0, 0)


def test_incidence_rolls_unit_years_up_with_live_births_summed(hie: None) -> None:
    # Grade ≥ 2: every case here. RWG02 5 of 2,400; RGT01 1 of 5,600; RJ224 3 of 3,100; RDE03 and RJZ01 have
    # no live-births figure (their 1 + 1 babies are missing). Watford's year counts under RWH (its trust on
    # 31 December).
    code = "hie_incidence_per_1000"
    assert _figure(code, "trust", "RWH", "2024") == (5, 2400, 0, 0)
    assert not KpiAggregate.objects.filter(kpi=code, level="trust", org_code="RWG").exists()
    assert _figure(code, "network", "EOE", "2024") == (6, 8000, 0, 1)
    assert _figure(code, "network", "SLN", "2024") == (3, 3100, 0, 1)
    assert _figure(code, "region", "Y56", "2024") == (3, 3100, 0, 1)
