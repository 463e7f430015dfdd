"""The journey's screens (issue 14) pass the automated WCAG 2.2 AA check (axe-core, tests/browser/axe.py): a
case with every v2 part, its sections' forms open, the timeline with the transport intervals, the import
page, and the radiologist's view. A module of its own: importing AXE bypasses the CSP."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from core.testing.personas import Personas, with_section_roles
from tests.browser.axe import AXE, axe_violations  # noqa: F401  (AXE: this module bypasses the CSP)
from tests.browser.signin import sign_in
from tests.browser.test_journey_roles import _every_v2_part

pytestmark = pytest.mark.browser


def test_the_journey_screens_pass_axe(live_server: Any, transactional_db: Any, page: Page,
                                      people: Personas) -> None:
    case = _every_v2_part(with_section_roles(people))
    base = live_server.url
    found: dict[str, Any] = {}
    for username, urls in (("nina", [f"/cases/{case.pk}/", f"/cases/{case.pk}/timeline/", "/cases/import/"]),
                           ("rita", [f"/cases/{case.pk}/"])):
        page.context.clear_cookies()
        sign_in(page, base, username)
        for url in urls:
            page.goto(f"{base}{url}")
            for details in page.locator("main details").all():  # every form and explanation open
                details.evaluate("element => element.open = true")
            found[f"{username} {url}"] = axe_violations(page)
    assert found == {key: [] for key in found}
