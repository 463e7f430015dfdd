"""NHS numbers never appear in a URL: record lists post their search and show an opaque, short-lived token
(core.search); and log redaction catches the number however it is written."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.search import SEARCH_TOKEN_SECONDS
from core.security import REDACTED, redact_nhs_numbers
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services
from pop import services as pop_services
from pop.tests.factories import pop_values

NHS = "9434765919"
SPACED = "943 476 5919"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _refs(html: str) -> list[str]:
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', html)


@pytest.fixture
def cases(people: Personas) -> None:
    services.case_create(values=cooled_case_values(case_ref="EOE-FIND-ME", nhs_number=NHS), by=people.nurse)
    services.case_create(values=cooled_case_values(case_ref="EOE-OTHER"), by=people.nurse)


@pytest.fixture
def nurse(people: Personas) -> Client:
    client = Client()
    client.force_login(people.nurse)
    return client


@pytest.mark.django_db
def test_case_search_is_posted_and_the_address_holds_only_a_token(cases: None, nurse: Client) -> None:
    url = reverse("pathway:case_list")
    posted = nurse.post(url, {"q": SPACED, "year": "", "include_error": ""})
    assert posted.status_code == 303
    location = posted["Location"]
    assert NHS not in _digits(location) and "q=" not in location
    token = parse_qs(urlsplit(location).query)["search"][0]
    assert len(token) >= 16

    page = nurse.get(location)
    html = page.content.decode()
    assert _refs(html) == ["EOE-FIND-ME"]
    assert 'method="post"' in html and "hx-get" not in html.split('role="search"')[0][-400:]
    # No link on the page carries the number (pagination keeps the token, not the text).
    assert not [href for href in re.findall(r'href="([^"]*)"', html) if NHS in _digits(href)]


@pytest.mark.django_db
def test_the_search_form_is_a_post_form_with_csrf(cases: None, nurse: Client) -> None:
    html = nurse.get(reverse("pathway:case_list")).content.decode()
    form = re.search(r'<form[^>]*role="search"[^>]*>', html)
    assert form and 'method="post"' in form.group(0) and "hx-post" in form.group(0)
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_an_old_link_with_the_number_is_moved_to_a_token(cases: None, nurse: Client) -> None:
    moved = nurse.get(reverse("pathway:case_list"), {"q": NHS, "year": "2024"})
    assert moved.status_code == 303
    assert NHS not in _digits(moved["Location"].replace("2024", "")) and "year=2024" in moved["Location"]
    assert _refs(nurse.get(moved["Location"]).content.decode()) == ["EOE-FIND-ME"]


@pytest.mark.django_db
def test_a_token_means_nothing_in_another_session_or_after_it_expires(cases: None, nurse: Client,
                                                                      people: Personas) -> None:
    location = nurse.post(reverse("pathway:case_list"), {"q": NHS})["Location"]
    other = Client()
    other.force_login(people.admin_user)
    html = other.get(location).content.decode()
    assert "That search has expired" in html and NHS not in html

    later = timezone.now() + timedelta(seconds=SEARCH_TOKEN_SECONDS + 60)
    with time_machine.travel(later):
        html = nurse.get(location).content.decode()
    assert "That search has expired" in html
    assert sorted(_refs(html)) == ["EOE-FIND-ME", "EOE-OTHER"]


@pytest.mark.django_db
def test_pop_search_is_posted_too(people: Personas, nurse: Client) -> None:
    pop_services.pop_create(values=pop_values(case_ref="POP-FIND", nhs_number=NHS), by=people.nurse)
    pop_services.pop_create(values=pop_values(case_ref="POP-OTHER"), by=people.nurse)
    posted = nurse.post(reverse("pop:record_list"), {"q": NHS})
    assert posted.status_code == 303 and NHS not in _digits(posted["Location"])
    html = nurse.get(posted["Location"]).content.decode()
    assert "POP-FIND" in html and "POP-OTHER" not in html


@pytest.mark.django_db
def test_search_posts_need_the_csrf_token(cases: None, people: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.nurse)
    assert client.post(reverse("pathway:case_list"), {"q": NHS}).status_code == 403


@pytest.mark.parametrize("written", [
    NHS, SPACED, "943-476-5919", "943+476+5919", "943%20476%205919", "9434 765 919", "943\t476\t5919",
])
def test_log_redaction_catches_every_way_of_writing_the_number(written: str) -> None:
    line = f"GET /cases/?q={written}&page=2 HTTP/1.1"
    assert redact_nhs_numbers(line) == f"GET /cases/?q={REDACTED}&page=2 HTTP/1.1"


@pytest.mark.parametrize("kept", ["9434765910", "19434765919", "2024-03-31 12:00:00", "rows=1234567890123"])
def test_log_redaction_leaves_other_numbers(kept: str) -> None:
    assert redact_nhs_numbers(kept) == kept


def test_redaction_is_applied_to_log_records(caplog: Any) -> None:
    import logging

    from core.security import RedactNhsNumbersFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "searched %s", ("943+476+5919",), None)
    RedactNhsNumbersFilter().filter(record)
    assert record.getMessage() == f"searched {REDACTED}"
