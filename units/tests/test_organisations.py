"""Organisations reference files: `load_organisations` (units.services.organisations_load; issue 18)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from units.hierarchy import Hierarchy
from units.models import Network, Organisation, OrgKind, Unit, UnitPlacement
from units.reference import NETWORK, UNITS
from units.services import (
    EAST_OF_ENGLAND_FILE,
    LONDON_FILE,
    OrganisationsFileError,
    network_load_reference,
    organisations_load,
    organisations_load_file,
)

HEADER = "kind,code,name,short_name,region,network,trust,lmns,icb,designation,cooling_centre,valid_from,valid_to\n"


def _counts() -> tuple[int, int, int, int]:
    return (Organisation.objects.count(), Network.objects.count(), Unit.objects.count(),
            UnitPlacement.objects.count())


@pytest.mark.django_db
def test_both_reference_files_load_with_their_networks_units_and_organisations() -> None:
    organisations_load_file(EAST_OF_ENGLAND_FILE)
    organisations_load_file(LONDON_FILE)
    eoe, ncel = Network.objects.get(code="EOE"), Network.objects.get(code="NCEL")
    assert eoe.region is not None and (eoe.region.code, eoe.region.name) == ("Y61", "East of England")
    assert sorted(Network.objects.filter(region__code="Y56").values_list("code", flat=True)) == ["NCEL", "NWL", "SL"]
    assert eoe.units.count() == 18 and Unit.objects.filter(network__region__code="Y56").count() == 26
    assert ncel.units.filter(is_cooling_centre=True).count() == 3
    uch = Unit.objects.get(ods_code="RRV03")
    assert (uch.network, uch.trust_ods, uch.designation) == (ncel, "RRV", "NICU")
    assert uch.trust_name == "University College London Hospitals NHS Foundation Trust"
    path = Hierarchy.load().path("RRV03", date(2025, 1, 1))
    assert path is not None
    assert path.as_dict() == {"trust": "RRV", "lmns": "LQMJ", "icb": "QMJ", "network": "NCEL", "region": "Y56"}
    watford = Hierarchy.load().path("RWG02", date(2025, 1, 1))
    assert watford is not None and (watford.icb, watford.network, watford.region) == ("QM7", "EOE", "Y61")


@pytest.mark.django_db
def test_the_east_of_england_file_agrees_with_units_reference_and_load_units_loads_it() -> None:
    out = io.StringIO()
    call_command("load_units", stdout=out)
    assert "18 units" in out.getvalue()
    network = Network.objects.get(code=NETWORK["code"])
    assert (network.name, network.short_name) == (NETWORK["name"], NETWORK["short_name"])
    for row in UNITS:
        unit = Unit.objects.get(ods_code=row["ods"])
        assert (unit.name, unit.short_name, unit.trust_name, unit.trust_ods, unit.designation,
                unit.is_cooling_centre, unit.former_ods_codes, unit.network_id) == (
            row["name"], row["short"], row["trust"], row["trust_ods"], row["designation"], row["cooling_centre"],
            row["former"], network.pk), row["ods"]
        assert unit.latitude == Decimal(str(row["lat"])) and unit.longitude == Decimal(str(row["lon"]))
        assert unit.placements.count() == 1


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_an_edit_updates_by_code_without_deleting() -> None:
    organisations_load_file(LONDON_FILE)
    before = _counts()
    again = organisations_load_file(LONDON_FILE)
    assert again.created == {} and again.updated == {}
    assert again.unchanged["unit"] == 26 and again.unchanged["placement"] == 26
    assert _counts() == before
    # A file naming one unit with a new short name: that unit changes, nothing else is touched or deleted.
    lines = LONDON_FILE.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("kind,"))
    row = next(line for line in lines if line.startswith("unit,RRV03,"))
    edited = header + "\n" + row.replace(",UCH,", ",UCH London,") + "\n"
    summary = organisations_load(edited)
    assert summary.updated == {"unit": 1} and summary.unchanged == {"placement": 1}
    assert Unit.objects.get(ods_code="RRV03").short_name == "UCH London"
    assert _counts() == before


@pytest.mark.django_db
def test_a_bad_row_is_reported_with_its_line_and_column_and_nothing_is_written() -> None:
    text = LONDON_FILE.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("unit,RJ701,"))
    lines[bad] = lines[bad].replace(",NICU,", ",HOSPICE,").replace(",RJ7,", ",RZZ,")
    with pytest.raises(OrganisationsFileError) as caught:
        organisations_load("\n".join(lines))
    messages = [str(e) for e in caught.value.errors]
    assert f"line {bad + 1}, column designation: “HOSPICE” is not one of NICU, LNU, SCU, TRANSPORT" in messages
    assert f"line {bad + 1}, column trust: no trust with code “RZZ”" in messages
    assert _counts() == (0, 0, 0, 0)


def test_the_command_names_the_file_line_and_column_and_fails(tmp_path: Path, db: None) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("# a comment\n" + HEADER + "region,Y56,London,,,,,,,,,2024-13-01,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("load_organisations", str(bad), stderr=err)
    assert f"{bad}: line 3, column valid_from: “2024-13-01” is not a date in the form 2024-04-01" in err.getvalue()
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_a_unit_that_moved_network_and_trust_gets_a_placement_per_period() -> None:
    """Historical change: Queen's, Romford (RF4QH) as if it had been North West London's under another trust
    until 31 March 2023 (illustrative, not history): each period reports under its own organisations."""
    organisations_load_file(LONDON_FILE)
    lines = [line for line in LONDON_FILE.read_text(encoding="utf-8").splitlines()
             if not line.startswith("unit,RF4QH,")]
    lines += ['unit,RF4QH,"Queen\'s Hospital, Romford","Queen\'s, Romford",,NWL,R1K,LQRV,QRV,LNU,no,,,,,2023-03-31',
              'unit,RF4QH,"Queen\'s Hospital, Romford","Queen\'s, Romford",,NCEL,RF4,LQMF,QMF,LNU,no,,,,2023-04-01,']
    organisations_load("\n".join(lines))
    unit = Unit.objects.get(ods_code="RF4QH")
    assert unit.network.code == "NCEL" and unit.trust_ods == "RF4"  # the unit itself follows today's placement
    assert unit.placements.count() == 2  # the first load's open placement now ends; the new one starts after it
    hierarchy = Hierarchy.load()
    old, new = hierarchy.path("RF4QH", date(2023, 3, 31)), hierarchy.path("RF4QH", date(2023, 4, 1))
    assert old is not None and new is not None
    assert (old.network, old.trust, old.icb) == ("NWL", "R1K", "QRV")
    assert (new.network, new.trust, new.icb) == ("NCEL", "RF4", "QMF")


@pytest.mark.django_db
def test_overlapping_periods_of_one_unit_are_refused() -> None:
    organisations_load_file(EAST_OF_ENGLAND_FILE)
    text = (HEADER + "unit,RWG02,Watford General Hospital,Watford,,EOE,RWG,LQM7,QM7,LNU,no,2020-01-01,2024-06-30\n"
            + "unit,RWG02,Watford General Hospital,Watford,,EOE,RWG,LQM7,QM7,LNU,no,2024-06-01,\n")
    with pytest.raises(OrganisationsFileError) as caught:
        organisations_load(text)
    assert [str(e) for e in caught.value.errors] == [
        "line 3, column valid_from: RWG02's period overlaps the one on line 2: end that one first (valid_to)"]


@pytest.mark.django_db
def test_a_network_made_before_codes_were_data_is_found_by_name() -> None:
    Network.objects.create(name=NETWORK["name"], short_name="East of England", code="EE")
    network = network_load_reference()
    assert network.code == "EOE" and Network.objects.count() == 1
    assert Organisation.objects.filter(kind=OrgKind.ICB).count() == 6
