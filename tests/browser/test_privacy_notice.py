"""The privacy notice in Chromium at a laptop's and a tablet's width: reached from the staff footer, fits the
screen, passes axe (WCAG 2.2 AA); screenshots in test-results/privacy/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from core.testing.personas import Personas
from tests.browser.axe import AXE, axe_violations  # noqa: F401  (AXE: this module bypasses the CSP)

pytestmark = pytest.mark.browser
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "privacy"
WIDTHS = ((1366, 768), (768, 1024))


def test_privacy_notice_from_the_staff_footer_fits_and_passes_axe(live_server: Any, transactional_db: None,
                                                                 people: Personas, browser: Browser,
                                                                 settings: Any) -> None:
    settings.PRIVACY_CONTACT_EMAIL = "privacy@eoe-neonatal.example.nhs.uk"
    settings.PRIVACY_DPO_EMAIL = "dpo@cuh.example.nhs.uk"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(people.nurse.username)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()

        page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice").click()
        expect(page.get_by_role("heading", name="Privacy notice", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="privacy@eoe-neonatal.example.nhs.uk")).to_be_visible()
        page.screenshot(path=str(ARTEFACTS / f"privacy-{width}.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=2)
        context.close()
