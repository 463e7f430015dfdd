"""Malformed `X-Forwarded-For` headers (issue 12: rate limits key on the real client). Behind the proxy
(`TRUSTED_PROXY_COUNT=1`) whatever a client writes in the header is either the address nginx appended or
ignored: a garbage entry is never a 500, and never a fresh visitor with a fresh allowance."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.services import RESETS_PER_EMAIL
from core.testing.personas import Personas

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
EMAIL = "nina.nurse@nhs.example"
GARBAGE = [
    "", ",", " , ,, ", "unknown", "999.1.1.1", "198.51.100.07", "198.51.100.7:443", "[2001:db8::1]",
    "198.51.100.7\x00", "a" * 8000, "1," * 4000, "\u0661\u0669\u0668.51.100.7", "::ffff:",
]


@pytest.fixture
def nurse(people: Personas, settings: Any) -> Any:
    settings.TRUSTED_PROXY_COUNT = 1
    people.nurse.email = EMAIL
    people.nurse.save(update_fields=["email"])
    return people.nurse


@pytest.mark.parametrize("forwarded", GARBAGE)
def test_a_garbage_forwarded_header_is_never_a_500(nurse: Any, forwarded: str) -> None:
    for url in (reverse("login"), reverse("accounts:password_reset"), "/families/feedback/", "/api/v1/units/"):
        response = Client().get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.usefixtures("nurse")
def test_garbage_entries_all_count_as_the_proxy_so_they_buy_no_new_allowance() -> None:
    assert len(GARBAGE) > RESETS_PER_EMAIL
    for forwarded in GARBAGE:  # one visitor rotating nonsense: each request is "the proxy" again
        response = Client().post(reverse("accounts:password_reset"), {"email": EMAIL}, REMOTE_ADDR=PROXY,
                                 HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 302
    assert len(mail.outbox) == RESETS_PER_EMAIL


@pytest.mark.usefixtures("nurse")
@pytest.mark.parametrize("ways", [
    ["2001:db8::1", "2001:0DB8:0:0::1", "2001:db8:0::1"],
    ["fe80::1%eth0", "fe80::1%eth1", "fe80::1%1", "fe80::1"],  # a zone names an interface, not a client
])
def test_one_address_written_several_ways_is_one_visitor(ways: list[str]) -> None:
    for number in range(RESETS_PER_EMAIL + 2):
        written = ways[number % len(ways)]
        Client().post(reverse("accounts:password_reset"), {"email": EMAIL}, REMOTE_ADDR=PROXY,
                      HTTP_X_FORWARDED_FOR=written)
    assert len(mail.outbox) == RESETS_PER_EMAIL
