"""End to end in Debian's Chromium: a nurse specialist records a baby cooled too late and sees the breach;
a unit clinician cannot open a case from another unit.

The nurse specialist is a network-wide role (issue 2, "Units and people"), so no case is another unit's
to her; the refusal is shown for a unit-scoped colleague, by typing the case's URL directly.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()


def _choose(page: Page, group: str, option: str) -> None:
    page.get_by_role("group", name=group, exact=True).get_by_label(option, exact=True).check()


def _new_case(page: Page) -> None:
    page.get_by_role("link", name="New case", exact=True).click()
    page.get_by_label("Case reference").fill("EOE-2026-0900")
    page.get_by_label("Date and time of birth").fill("14/05/2026 03:10")
    _choose(page, "Sex", "Female")
    page.get_by_label("Gestation (completed weeks)").fill("39")
    page.get_by_label("Gestation (days)").fill("2")
    page.get_by_label("Birth weight (g)").fill("3300")
    page.get_by_label("Birth unit").select_option(label="Watford (RWG02)")
    page.get_by_label("Cooling centre").select_option(label="Addenbrooke's (Rosie) (RGT01)")
    _choose(page, "Cooled (therapeutic hypothermia)", "Yes")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name=re.compile("EOE-2026-0900"))).to_be_visible()


def _fill_cooling(page: Page) -> None:
    section = page.locator("#section-cooling")
    section.get_by_text("Change cooling").click()
    # Cooling started 6 h 50 min after birth: the 6-hour standard is breached.
    section.get_by_label("Time active cooling started").fill("14/05/2026 10:00")
    section.get_by_label(re.compile("^Time target temperature")).fill("14/05/2026 10:40")
    section.get_by_role("button", name="Save cooling").click()
    expect(page.locator("#section-cooling").get_by_text("Saved at")).to_be_visible()


def test_nurse_records_a_late_cooling_and_sees_the_breach(live_server, transactional_db, page: Page,
                                                          people: Personas) -> None:
    base = live_server.url
    _sign_in(page, base, people.nurse.username)
    _new_case(page)
    _fill_cooling(page)
    expect(page.locator("#section-cooling")).to_contain_text("14/05/2026 10:00")

    page.get_by_role("link", name="Timeline and temperatures").click()
    breach = page.locator('tr[data-check="cooling_started_6h"]')
    expect(breach).to_have_attribute("data-status", "breach")
    expect(breach).to_have_class(re.compile("app-breach"))
    expect(page.get_by_text(re.compile(r"\d+ breach"))).to_be_visible()


def test_unit_clinician_is_refused_another_units_case(live_server, transactional_db, page: Page,
                                                      people: Personas) -> None:
    ipswich = services.case_create(values=cooled_case_values(case_ref="IPS-1", birth_unit="RDE03", centre="RM102"),
                                   by=people.nurse)
    base = live_server.url
    _sign_in(page, base, people.clinician.username)
    expect(page.get_by_role("link", name="IPS-1")).to_have_count(0)

    response = page.goto(f"{base}/cases/{ipswich.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("IPS-1")).to_have_count(0)
