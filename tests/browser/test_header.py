"""The header on every staff page, for the user with the most links (an administrator), at a laptop, a tablet and
a phone width: nothing runs past the right edge; the links that do not fit on one line move into NHS.UK
frontend's "More" menu, a button that says whether it is open and, opened, lists every hidden link; without
JavaScript the links wrap onto more lines instead. Screenshots go to test-results/header/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from core.testing.personas import Personas
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "header"
WIDTHS = (1366, 768, 390)
PAGES = ("/cases/", "/kpis/", "/pop/dashboard/", "/training/")
# The header's links on its line and in the "More" menu (the script moves them there), and any header
# element that runs past the right edge of the window.
HEADER = """() => {
  const right = document.documentElement.clientWidth + 1;
  const text = selector => [...document.querySelectorAll(selector)].map(a => a.textContent.trim());
  return {
    shown: text('.nhsuk-header__navigation-list > .nhsuk-header__navigation-item a'),
    hidden: text('.nhsuk-header__menu-list a'),
    past: [...document.querySelectorAll('.nhsuk-header *')].filter(e => e.getBoundingClientRect().right > right)
            .map(e => e.tagName + '.' + e.className).slice(0, 5),
  };
}"""


def test_the_header_fits_every_width_and_the_rest_is_under_more(
    live_server: Any, transactional_db: None, people: Personas, browser: Browser
) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    everything: set[str] = set()
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, people.admin_user.username)
        for path in PAGES:
            page.goto(live_server.url + path)
            found: dict[str, Any] = page.evaluate(HEADER)
            assert found["past"] == [], f"{path} at {width} px"
            assert found["shown"][0] == "Cases"  # the first link always stays on the line
            page.screenshot(path=str(ARTEFACTS / f"{path.strip('/').replace('/', '-')}-{width}.png"))
            everything |= {*found["shown"], *found["hidden"]}
            more = page.locator(".nhsuk-header__menu-toggle")
            if not found["hidden"]:
                expect(more).to_be_hidden()
                continue
            # The "More" menu: a button that says it is closed, opens to list exactly the hidden links.
            expect(more).to_have_attribute("aria-expanded", "false")
            more.click()
            expect(more).to_have_attribute("aria-expanded", "true")
            menu = page.locator(".nhsuk-header__menu-list")
            expect(menu).to_be_visible()
            assert [text.strip() for text in menu.locator("a").all_inner_texts()] == found["hidden"]
            page.screenshot(path=str(ARTEFACTS / f"{path.strip('/').replace('/', '-')}-{width}-more.png"))
        if width < 1366:
            assert found["hidden"]  # a tablet and a phone need the menu
        context.close()
    assert {"Cases", "KPIs", "POP", "Reports", "Families"} <= everything


def test_without_javascript_the_links_wrap(
    live_server: Any, transactional_db: None, people: Personas, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, people.admin_user.username)
    found: dict[str, Any] = page.evaluate(HEADER)
    assert found["past"] == [] and found["hidden"] == []
    expect(page.locator(".nhsuk-header__menu")).to_be_hidden()
    context.close()
