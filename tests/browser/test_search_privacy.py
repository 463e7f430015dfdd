"""In Chromium, with htmx: searching the case list by NHS number posts the form; the address bar and every
request's URL hold a token, never the number (core.search)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services

pytestmark = pytest.mark.browser

NHS = "9434765919"


def test_nhs_number_search_never_reaches_an_address(live_server, transactional_db, page: Page,
                                                    people: Personas) -> None:
    services.case_create(values=cooled_case_values(case_ref="EOE-FIND-ME", nhs_number=NHS), by=people.nurse)
    services.case_create(values=cooled_case_values(case_ref="EOE-OTHER"), by=people.nurse)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(people.nurse.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()

    page.get_by_label("Case reference or NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="EOE-OTHER")).to_have_count(0)
    expect(page.get_by_role("link", name="EOE-FIND-ME")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cases/\?search=[\w-]{16,}$"))

    page.reload()  # the token still finds the baby in this session
    expect(page.get_by_role("link", name="EOE-FIND-ME")).to_be_visible()
    expect(page.get_by_role("link", name="EOE-OTHER")).to_have_count(0)
    assert not [url for url in requested if NHS in re.sub(r"\D", "", url)]
