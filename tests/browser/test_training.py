"""End to end in Debian's Chromium: a nurse specialist records a training session for Watford and sees the
unit's coverage change on the network coverage page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.testing.personas import Personas
from tests.browser.signin import sign_in
from training import services
from units.models import Unit

pytestmark = pytest.mark.browser


def test_nurse_records_training_and_sees_coverage_change(live_server, transactional_db, page: Page,
                                                         people: Personas) -> None:
    today = timezone.localdate()
    watford = Unit.objects.get(ods_code="RWG02")
    services.establishment_record(unit=watford, effective_from=today - timedelta(days=90),
                                  headcounts={"nurse": 20, "doctor": 4}, by=people.nurse)
    base = live_server.url
    sign_in(page, base, people.nurse.username)

    page.get_by_role("link", name="Training", exact=True).click()
    expect(page.get_by_role("heading", name="Training coverage", level=1)).to_be_visible()
    row = page.locator('#coverage-table tr[data-unit="RWG02"]')
    expect(row.locator("[data-coverage]")).to_contain_text("0%")
    expect(row.locator("[data-due]")).to_have_attribute("data-due", "yes")

    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("Unit", exact=True).select_option(label="Watford (RWG02)")
    page.get_by_label("Date of session").fill(f"{today:%d/%m/%Y}")
    page.get_by_label("Trainer").fill("Sister Jones")
    page.get_by_role("group", name="Format").get_by_label("Simulation", exact=True).check()
    page.get_by_label("Avoid overcooling").check()
    page.get_by_label("Nurses").fill("6")
    page.get_by_label("Doctors").fill("2")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_text("Training session recorded for Watford.")).to_be_visible()
    expect(page.locator("p[data-coverage]")).to_contain_text("33%")

    page.get_by_role("link", name="Training", exact=True).click()
    row = page.locator('#coverage-table tr[data-unit="RWG02"]')
    expect(row.locator("[data-coverage]")).to_contain_text("33%")
    expect(row).to_contain_text("8 of 24")
    expect(row.locator("[data-coverage] .nhsuk-tag")).to_contain_text("Low")  # colour with its text label
