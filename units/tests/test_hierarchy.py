"""units.hierarchy: a unit's organisations follow its placement of the day (issue 18)."""

from __future__ import annotations

from datetime import date

import pytest

from units.hierarchy import Hierarchy
from units.models import Network, Organisation, OrgKind, Unit, UnitPlacement


@pytest.fixture
def two_networks(db: None) -> tuple[Network, Network, Unit]:
    region = Organisation.objects.create(kind=OrgKind.REGION, code="Y61", name="East of England")
    london = Organisation.objects.create(kind=OrgKind.REGION, code="Y56", name="London")
    eoe = Network.objects.create(name="EoE test", short_name="EoE", code="EOET", region=region)
    ldn = Network.objects.create(name="London test", short_name="Ldn", code="LDNT", region=london)
    unit = Unit.objects.create(network=eoe, ods_code="ZZ001", name="Mover", short_name="Mover",
                               trust_name="Old trust", trust_ods="ZZ0", designation="LNU")
    old = Organisation.objects.create(kind=OrgKind.TRUST, code="ZZ0", name="Old trust")
    new = Organisation.objects.create(kind=OrgKind.TRUST, code="ZZ9", name="New trust")
    UnitPlacement.objects.create(unit=unit, network=eoe, trust=old, valid_to=date(2024, 3, 31))
    UnitPlacement.objects.create(unit=unit, network=ldn, trust=new, valid_from=date(2024, 4, 1))
    return eoe, ldn, unit


def test_a_unit_that_moves_reports_under_the_organisation_of_the_day(two_networks: tuple) -> None:
    hierarchy = Hierarchy.load()
    before = hierarchy.path("ZZ001", date(2024, 3, 31))
    after = hierarchy.path("ZZ001", date(2024, 4, 1))
    assert before is not None and after is not None
    assert (before.network, before.trust, before.region) == ("EOET", "ZZ0", "Y61")
    assert (after.network, after.trust, after.region) == ("LDNT", "ZZ9", "Y56")
    assert hierarchy.units_in("network", "LDNT", date(2024, 4, 1)) == ["ZZ001"]
    assert hierarchy.units_in("network", "LDNT", date(2024, 3, 1)) == []


def test_a_unit_without_placements_uses_its_own_network_and_trust(db: None) -> None:
    network = Network.objects.create(name="Solo", short_name="Solo", code="SOLO", region_code="Y61")
    Unit.objects.create(network=network, ods_code="ZZ002", name="Solo unit", short_name="Solo",
                        trust_name="Solo trust", trust_ods="ZZ2", designation="SCU")
    path = Hierarchy.load().path("ZZ002", date(2020, 1, 1))
    assert path is not None
    assert path.as_dict() == {"trust": "ZZ2", "network": "SOLO", "region": "Y61"}
    assert Hierarchy.load().path("NOPE1", date(2020, 1, 1)) is None
