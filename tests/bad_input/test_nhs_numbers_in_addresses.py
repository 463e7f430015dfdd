"""NHS numbers never reach an address (issue 12), however a user or an old link writes them: every form the
log redaction knows (spaced, dashed, `+`-joined, tabbed), in an old `?q=` link or a posted search, on both
record lists, ends as an opaque token in the address; the forms people type (spaced, dashed) find the baby."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pop import services as pop_services
from pop.tests.factories import pop_values

pytestmark = pytest.mark.django_db

NHS = "9434765919"
WRITTEN = [NHS, "943 476 5919", "943-476-5919", "943+476+5919", "943\t476\t5919", " 9434765919 "]
FINDS = {NHS, "943 476 5919", "943-476-5919", "943\t476\t5919", " 9434765919 "}  # "+" is not a separator
LISTS = {"pathway:case_list": "EOE-FIND-ME", "pop:record_list": "POP-FIND-ME"}


@pytest.fixture
def nurse(people: Personas) -> Client:
    services.case_create(values=cooled_case_values(case_ref="EOE-FIND-ME", nhs_number=NHS), by=people.nurse)
    services.case_create(values=cooled_case_values(case_ref="EOE-OTHER"), by=people.nurse)
    pop_services.pop_create(values=pop_values(case_ref="POP-FIND-ME", nhs_number=NHS), by=people.nurse)
    pop_services.pop_create(values=pop_values(case_ref="POP-OTHER"), by=people.nurse)
    client = Client()
    client.force_login(people.nurse)
    return client


def _no_number_in(address: str) -> None:
    # However the digits are separated (encoded spaces and plus signs included), none of them is the number.
    assert NHS not in re.sub(r"\D", "", address.replace("%20", "").replace("%2B", "").replace("%09", "")), address


def _found(client: Client, address: str, wanted: str, written: str) -> None:
    if written not in FINDS:
        return
    html = client.get(address).content.decode()
    refs = set(re.findall(r">((?:EOE|POP)-[A-Z-]+)</a>", html))
    assert refs == {wanted}, refs


@pytest.mark.parametrize("url_name", list(LISTS))
@pytest.mark.parametrize("written", WRITTEN)
def test_an_old_link_with_the_number_is_moved_to_a_token(nurse: Client, url_name: str, written: str) -> None:
    moved = nurse.get(reverse(url_name), {"q": written})
    assert moved.status_code == 303
    _no_number_in(moved["Location"])
    _found(nurse, moved["Location"], LISTS[url_name], written)


@pytest.mark.parametrize("url_name", list(LISTS))
@pytest.mark.parametrize("written", WRITTEN)
def test_a_posted_search_leaves_only_a_token_in_the_address(nurse: Client, url_name: str, written: str) -> None:
    posted = nurse.post(reverse(url_name), {"q": written}, HTTP_HX_REQUEST="true")
    assert posted.status_code == 303
    _no_number_in(posted["Location"])
    for header in ("HX-Push-Url", "HX-Replace-Url", "HX-Location", "HX-Redirect"):
        _no_number_in(posted.get(header, ""))
    _found(nurse, posted["Location"], LISTS[url_name], written)
