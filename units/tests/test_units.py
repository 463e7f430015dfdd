"""The reference network (domain.md §3.1–§3.3): loading it, and finding a unit by current or former code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from units.models import Designation, Network, Unit
from units.services import network_load_reference

SITES = {"RGT01", "RM102", "RC971", "RC979", "RWH01", "RWG02", "RQWG0", "RQ8L0", "RAJ12", "RAJ01", "RDEE4",
         "RDE03", "RGR50", "RGN80", "RGN90", "RCX70", "RGP75"}


@pytest.mark.django_db
def test_load_units_creates_the_network_and_its_18_units() -> None:
    out = StringIO()
    call_command("load_units", stdout=out)

    assert Network.objects.count() == 1
    network = Network.objects.get()
    assert network.region_code == "Y61"
    assert Unit.objects.count() == 18
    assert set(Unit.objects.exclude(designation=Designation.TRANSPORT).values_list("ods_code", flat=True)) == SITES
    transport = Unit.objects.get(designation=Designation.TRANSPORT)
    assert transport.ods_code == "RGT-PANDR"
    assert transport.is_transport_service
    assert "PaNDR" in transport.short_name
    assert set(Unit.objects.cooling_centres().values_list("ods_code", flat=True)) == {"RGT01", "RM102", "RC971"}
    assert set(Unit.objects.filter(designation=Designation.NICU).values_list("ods_code", flat=True)) == {
        "RGT01", "RM102", "RC971"}
    assert set(Unit.objects.active().values_list("ods_code", flat=True)) == SITES | {"RGT-PANDR"}
    assert all(unit.network_id == network.pk for unit in Unit.objects.all())
    assert "18 units" in out.getvalue()


@pytest.mark.django_db
def test_loading_again_updates_and_never_duplicates() -> None:
    network_load_reference()
    Unit.objects.filter(ods_code="RWG02").update(name="Watford (old name)", is_cooling_centre=True)
    Network.objects.update(short_name="EoE")
    pk = Unit.objects.get(ods_code="RWG02").pk

    call_command("load_units", stdout=StringIO())

    assert Unit.objects.count() == 18
    assert Network.objects.count() == 1
    assert Network.objects.get().short_name == "East of England"
    watford = Unit.objects.get(ods_code="RWG02")
    assert watford.pk == pk
    assert watford.name == "Watford General Hospital"
    assert watford.is_cooling_centre is False
    assert Unit.objects.cooling_centres().count() == 3


@pytest.mark.django_db
def test_loading_never_deletes_a_unit_added_by_hand() -> None:
    network = network_load_reference()
    Unit.objects.create(network=network, ods_code="RXX01", name="New unit", short_name="New",
                        trust_name="New trust", trust_ods="RXX", designation=Designation.SCU)
    network_load_reference()
    assert Unit.objects.count() == 19


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("RGT01", "RGT01"),
        ("rgt01", "RGT01"),
        (" RWG02 ", "RWG02"),
        ("RC979", "RC979"),
        ("RC112", "RC979"),  # Bedford's former code
        ("rc112", "RC979"),
        ("RDDH0", "RAJ12"),  # Basildon's former code
        ("ANTS", "RGT-PANDR"),
        ("RGT-PANDR", "RGT-PANDR"),
        ("RC1", None),  # part of a former code is not a code
        ("RC11", None),
        ("C112", None),
        ("DDH", None),
        ("RGT0", None),  # part of a current code
        ("AN", None),
        ("", None),
        ("XYZ99", None),
    ],
)
def test_by_code_finds_current_and_former_codes_only_whole(network: Network, code: str, found: str | None) -> None:
    unit = Unit.objects.by_code(code)
    assert (unit.ods_code if unit else None) == found


def test_former_codes_are_a_clean_list(network: Network) -> None:
    unit = Unit.objects.get(ods_code="RC979")
    unit.former_ods_codes = " rc112, RC9X1 ,,"
    assert unit.former_codes == ["RC112", "RC9X1"]


def test_by_code_finds_a_former_code_when_another_unit_has_a_longer_one(network: Network) -> None:
    # Basildon sorts before Bedford; give it a former code that merely contains Bedford's.
    Unit.objects.filter(ods_code="RAJ12").update(former_ods_codes="RDDH0,RC1129")
    found = Unit.objects.by_code("RC112")
    assert found is not None and found.ods_code == "RC979"
