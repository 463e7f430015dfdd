"""End to end in Debian's Chromium: an anonymous visitor reads the family website, and each page passes an
automated WCAG 2.2 AA check with axe-core (tests/browser/axe.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.testing.personas import Personas
from families import services
from families.models import Page as SitePage
from families.models import PageVersion
from families.starter import load_starter_pages
from tests.browser.axe import AXE, axe_violations  # noqa: F401  (AXE: this module bypasses the CSP)
from units.models import Unit

pytestmark = pytest.mark.browser


@pytest.fixture
def family_site(transactional_db: None, people: Personas) -> None:
    # Migrations publish the starter pages, but a transactional test's flush may have emptied the table.
    load_starter_pages(SitePage, PageVersion)
    services.event_save(values={"title": "Winter coffee morning", "starts_at": timezone.now() + timedelta(days=9),
                                "venue": "Rosie Hospital, Cambridge", "host_unit": Unit.objects.get(ods_code="RGT01")},
                        by=people.nurse)


def test_anonymous_visitor_reads_the_family_website_and_it_passes_axe(live_server, family_site: None,
                                                                      page: Page) -> None:
    base = live_server.url
    page.goto(f"{base}/families/")
    expect(page.get_by_role("heading", name="Support for families of babies with HIE", level=1)).to_be_visible()
    expect(page.get_by_text("Winter coffee morning")).to_be_visible()
    assert axe_violations(page) == [], json.dumps(axe_violations(page), indent=2)

    page.get_by_role("link", name="Cooling treatment").first.click()
    expect(page.get_by_role("heading", name="Cooling treatment", level=1)).to_be_visible()
    expect(page.get_by_text("within 6 hours of birth")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)

    page.get_by_role("link", name="Give feedback").first.click()
    expect(page.get_by_label("Your feedback")).to_be_visible()
    expect(page.get_by_label("Leave this empty")).to_be_hidden()  # the honeypot is not for people
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
