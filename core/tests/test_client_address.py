"""Rate limits key on the real client behind the proxy (TRUSTED_PROXY_COUNT, core.middleware), and one visitor
cannot use up anybody else's allowance: the family feedback form and password-reset requests."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.services import RESETS_PER_ADDRESS, RESETS_PER_EMAIL
from core.middleware import client_address
from core.testing.personas import Personas
from families.models import Feedback

PROXY = "127.0.0.1"  # gunicorn on loopback: every request arrives from nginx
EMAIL = "nina.nurse@nhs.example"


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "198.51.100.7", PROXY),  # no proxy configured: the header is the client's own words, ignored
    (1, "198.51.100.7", "198.51.100.7"),
    (1, "10.9.9.9, 6.6.6.6, 198.51.100.7", "198.51.100.7"),  # entries the client wrote are ignored
    (2, "10.9.9.9, 198.51.100.7, 192.0.2.50", "198.51.100.7"),  # a load balancer in front of nginx
    (2, "198.51.100.7", PROXY),  # fewer entries than proxies: not through them all
    (1, "not-an-address", PROXY),
    (1, "", PROXY),
    (1, "2001:db8::1", "2001:db8::1"),
    (1, "2001:0DB8:0:0::1", "2001:db8::1"),  # one address, one way of writing it
    (1, "fe80::1%eth0", "fe80::1"),  # the zone names an interface, not a client
])
def test_client_address(count: int, forwarded: str, expected: str) -> None:
    assert client_address({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}, count) == expected


def _via_nginx(client_ip: str, spoofed: str = "") -> dict[str, str]:
    """What gunicorn receives from nginx ($proxy_add_x_forwarded_for) for a visitor at client_ip."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{spoofed}, {client_ip}" if spoofed else client_ip}


# --- Family feedback ----------------------------------------------------------------------------------------------


def _feedback(client: Client, token: str, visitor: dict[str, Any]) -> Any:
    return client.post("/families/feedback/", {"message": "Thank you", "started": token, "website": ""}, **visitor)


@pytest.mark.django_db
def test_feedback_limit_is_per_real_visitor_behind_the_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT, settings.FAMILIES_FEEDBACK_MIN_SECONDS = 1, 0
    settings.FAMILIES_FEEDBACK_PER_HOUR = 3
    client = Client()
    html = client.get("/families/feedback/").content.decode()
    token = re.search(r'name="started" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    for number in range(3):  # a new spoofed entry each time does not make a new visitor
        assert _feedback(client, token, _via_nginx("203.0.113.9", spoofed=f"10.0.0.{number}")).status_code == 302
    assert _feedback(client, token, _via_nginx("203.0.113.9", spoofed="10.0.0.99")).status_code == 429
    # Every visitor arrives from the proxy's address, yet another family is not blocked.
    assert _feedback(client, token, _via_nginx("198.51.100.1")).status_code == 302
    assert Feedback.objects.count() == 4


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_forwarded_header_cannot_dodge_the_limit(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT, settings.FAMILIES_FEEDBACK_MIN_SECONDS = 0, 0
    settings.FAMILIES_FEEDBACK_PER_HOUR = 2
    client = Client()
    html = client.get("/families/feedback/").content.decode()
    token = re.search(r'name="started" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    statuses = [_feedback(client, token, {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"10.0.0.{n}"})
                .status_code for n in range(3)]
    assert statuses == [302, 302, 429]


# --- Password reset -------------------------------------------------------------------------------------------


@pytest.fixture
def nurse(people: Personas) -> Any:
    people.nurse.email = EMAIL
    people.nurse.save(update_fields=["email"])
    return people.nurse


def _reset(email: str, visitor: dict[str, Any]) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": email}, **visitor)
    assert response.status_code == 302


@pytest.mark.django_db
def test_one_visitor_cannot_block_everyones_password_resets(nurse: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = _via_nginx("203.0.113.66")
    for number in range(RESETS_PER_ADDRESS + 5):
        _reset(f"someone{number}@nhs.example", attacker)
    # Behind the proxy every request has the same REMOTE_ADDR; the nurse, elsewhere, still gets her link.
    _reset(EMAIL, _via_nginx("198.51.100.20"))
    assert [message.to for message in mail.outbox] == [[EMAIL]]


@pytest.mark.django_db
def test_one_visitor_cannot_block_one_persons_reset(nurse: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = _via_nginx("203.0.113.66")
    for _ in range(RESETS_PER_EMAIL + 3):
        _reset(EMAIL, attacker)
    assert len(mail.outbox) == RESETS_PER_EMAIL  # the attacker's own allowance for that address
    _reset(EMAIL, _via_nginx("198.51.100.20"))  # the nurse herself, from her ward
    assert len(mail.outbox) == RESETS_PER_EMAIL + 1


@pytest.mark.django_db
def test_a_visitor_past_their_allowance_spends_nobody_elses(nurse: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = _via_nginx("203.0.113.66")
    for number in range(RESETS_PER_ADDRESS):
        _reset(f"someone{number}@nhs.example", attacker)
    for _ in range(20):  # refused by the address limit: the nurse's own counters are not touched
        _reset(EMAIL, attacker)
    for _ in range(RESETS_PER_EMAIL):
        _reset(EMAIL, _via_nginx("198.51.100.20"))
    assert len(mail.outbox) == RESETS_PER_EMAIL
