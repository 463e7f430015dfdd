"""axe-core (WCAG 2.2 AA) on the issue 14 pages of this module's owner: the referrals list with its filters
and summary, the live-births page with its forms, and a transport service's KPI page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from core.testing.personas import Personas
from tests.browser.axe import AXE, axe_violations
from tests.browser.signin import sign_in
from tests.browser.test_referrals_and_births import _referrals

pytestmark = pytest.mark.browser
__all__ = ["AXE"]  # importing AXE makes the context bypass the CSP (conftest), so axe can be injected


@pytest.mark.parametrize("path", ["/cases/referrals/", "/cases/referrals/?decision=none&start=99/99/2024",
                                  "/units/live-births/", "/kpis/transport/RGT-PANDR/"])
def test_no_axe_violations(live_server, transactional_db, page: Page, people: Personas, path: str) -> None:
    _referrals(people)
    sign_in(page, live_server.url, people.nurse.username)
    page.goto(f"{live_server.url}{path}")
    assert axe_violations(page) == []
