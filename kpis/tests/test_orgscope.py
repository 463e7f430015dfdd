"""kpis.orgscope (issue 18): which network each viewer's dashboards open on, and what the picker offers them.

The networks come from the access rules (`units.access.network_ids_for`, the memberships): the East of England
from the test database and the London region's three networks from the reference file.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from core.testing.personas import Personas, make_user
from kpis import orgscope
from kpis.definitions.base import Level
from kpis.orgscope import OrgRef
from units.models import Role, Unit
from units.services import LONDON_FILE, organisations_load_file


@pytest.fixture
def london(people: Personas) -> dict[str, User]:
    organisations_load_file(LONDON_FILE)
    units = {u.ods_code: u for u in Unit.objects.all()}
    return {
        "nurse": make_user("lana", units["RRV03"], Role.NURSE_SPECIALIST),  # UCH, North Central & East London
        "clinician": make_user("lucy", units["RJ224"], Role.UNIT_CLINICIAN),  # Lewisham, South London
        "regional": make_user("rhea", units["RRV03"], Role.REGIONAL_LEAD),  # the London region (Y56)
    }


def _fresh(user: User) -> User:
    return type(user).objects.get(pk=user.pk)  # as a request has it: nothing cached on the object yet


def test_each_viewer_opens_on_the_network_of_their_units(people: Personas, london: dict[str, User]) -> None:
    shape = orgscope.warm_tree()
    assert orgscope.home_network(_fresh(people.nurse), shape) == "EOE"
    assert orgscope.home_network(_fresh(people.outsider), shape) == "EOE"  # a unit role: its unit's network
    assert orgscope.home_network(_fresh(london["nurse"]), shape) == "NCEL"
    assert orgscope.home_network(_fresh(london["clinician"]), shape) == "SL"
    assert orgscope.home_network(_fresh(london["regional"]), shape) == "NCEL"  # its own unit's, not the region's
    assert orgscope.user_network_codes(_fresh(london["nurse"]), shape) == ("NCEL",)
    nobody = User.objects.create_user("nobody")
    assert orgscope.user_network_codes(nobody, shape) == ()
    assert orgscope.home_network(nobody, shape) == "EOE"  # the deployment's first network by code


def test_a_regional_lead_opens_on_their_region_everyone_else_on_their_network(
        people: Personas, london: dict[str, User]) -> None:
    shape = orgscope.warm_tree()
    assert orgscope.home_org(_fresh(london["regional"]), shape) == OrgRef(Level.REGION, "Y56")
    assert orgscope.home_org(_fresh(london["nurse"]), shape) == OrgRef(Level.NETWORK, "NCEL")
    assert orgscope.home_org(_fresh(people.nurse), shape) == OrgRef(Level.NETWORK, "EOE")
    # Through the page: /kpis/ with no organisation named shows the region's figures.
    client = Client()
    client.force_login(london["regional"])
    response = client.get(reverse("kpis:overview"))
    assert response.status_code == 200
    assert response.context["org"] == OrgRef(Level.REGION, "Y56")


def test_the_picker_offers_each_role_what_it_may_see(london: dict[str, User]) -> None:
    shape, on = orgscope.warm_tree(), orgscope.today()

    nurse = orgscope.Seen(_fresh(london["nurse"]), shape, on)
    assert nurse.allows(OrgRef(Level.NETWORK, "NCEL")) and nurse.allows(OrgRef(Level.BIRTH_UNIT, "RAPNM"))
    assert nurse.allows(OrgRef(Level.TRUST, "RAP"))
    for other in (OrgRef(Level.NETWORK, "SL"), OrgRef(Level.NETWORK, "EOE"), OrgRef(Level.BIRTH_UNIT, "RJ224"),
                  OrgRef(Level.REGION, "Y56")):
        assert not nurse.allows(other), other

    clinician = orgscope.Seen(_fresh(london["clinician"]), shape, on)
    assert clinician.allows(OrgRef(Level.BIRTH_UNIT, "RJ224"))
    assert clinician.allows(OrgRef(Level.NETWORK, "SL"))  # its network's figure beside its unit
    assert not clinician.allows(OrgRef(Level.BIRTH_UNIT, "RJ122")) and not clinician.allows(OrgRef(Level.TRUST, "RJ1"))

    regional = orgscope.Seen(_fresh(london["regional"]), shape, on)
    for seen in (OrgRef(Level.REGION, "Y56"), OrgRef(Level.NETWORK, "SL"), OrgRef(Level.BIRTH_UNIT, "RJ224")):
        assert regional.allows(seen), seen
    assert not regional.allows(OrgRef(Level.NETWORK, "EOE")) and not regional.allows(OrgRef(Level.REGION, "Y61"))


def test_the_overview_opens_on_the_viewers_network(london: dict[str, User]) -> None:
    client = Client()
    client.force_login(london["clinician"])
    response = client.get(reverse("kpis:overview"))
    assert response.status_code == 200
    assert "South London" in response.content.decode()
