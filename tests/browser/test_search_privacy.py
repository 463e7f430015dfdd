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


def test_changed_pages_fit_a_laptop_and_a_tablet(live_server, transactional_db, browser, people: Personas) -> None:
    """The case list after a search and with an expired token, the 400 page and the family footer, at 1366 and
    768 px: nothing in the page or its footer wider than the screen (screenshots in test-results/search/)."""
    from pathlib import Path

    artefacts = Path(__file__).resolve().parents[2] / "test-results" / "search"
    artefacts.mkdir(parents=True, exist_ok=True)
    services.case_create(values=cooled_case_values(case_ref="EOE-FIND-ME", nhs_number=NHS), by=people.nurse)
    for width, height in ((1366, 768), (768, 1024)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(people.nurse.username)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Case reference or NHS number").fill(NHS)
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"search="))
        shots = {"searched": None, "expired": "/cases/?search=no-such-token", "refused": "/cases/?year=%00",
                 "family-footer": "/families/"}
        for name, path in shots.items():
            if path:
                page.goto(live_server.url + path)
            page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)
            # What these pages add (the form, the notices, the footer): the header's navigation is not theirs.
            # (Only what a person sees: NHS.UK's button group has an invisible negative margin.)
            wide = page.evaluate("() => [...document.querySelectorAll('main :is(a, p, h1, label, input, select, "
                                 "button, table, .nhsuk-inset-text), footer :is(a, p)')].filter(e => "
                                 "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                                 ".map(e => e.tagName + '.' + e.className)")
            assert wide == [], (name, width, wide)
        expect(page.get_by_role("link", name="Privacy notice")).to_be_visible()
        context.close()
