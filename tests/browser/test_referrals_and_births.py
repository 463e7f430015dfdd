"""End to end in Debian's Chromium (issue 14): a unit clinician filters the referrals of their unit, and a
nurse specialist records a unit's live births; both pages at 1366 and 768 px wide, with screenshots in
test-results/journey-kpis/ and a check that nothing is wider than the window."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis.services import compute
from pathway.services import case_create
from tests.browser.signin import sign_in
from units.births import live_births_record
from units.models import Unit

pytestmark = pytest.mark.browser
SHOTS = Path("test-results/journey-kpis")
WIDTHS = (1366, 768)
NOT_COOLED: dict[str, Any] = dict.fromkeys([
                            "cooling_centre", "passive_cooling_start", "active_cooling_start", "target_temp_reached",
                            "rewarming_start", "rewarming_end", "depart_referring_datetime", "arrive_centre_datetime",
                            "core_monitoring_start", "lowest_temp_before_arrival_c", "arrival_temp_c",
                            "mri_datetime"])


def _fits(page: Page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        # The page's own content (main), not the shared header, whose menu wraps for roles with many links:
        # no element of it may reach past the window's right edge.
        wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right
                                 > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.'
                                 + e.className)""")
        assert not wide, f"{name} at {width} px: wider than the window: {wide}"


def _referrals(people: Personas) -> None:
    for n, (reason, decision) in enumerate([("no_or_mild_encephalopathy", "do_not_cool"),
                                            ("parents_declined", "do_not_cool"), ("", "")]):
        values = cooled_case_values(case_ref=f"EOE-NC-{n}", therapeutic_hypothermia="no", transport_cooling="",
                                    mri_performed="", referral_decision=decision, not_cooled_reason=reason,
                                    birth=datetime(2024, 3, 10 + n, 4, 0, tzinfo=LONDON), **NOT_COOLED)
        case_create(values=values, by=people.nurse)
    case_create(values=cooled_case_values(case_ref="EOE-C-1", referral_decision="cool"), by=people.nurse)
    case_create(values=cooled_case_values(case_ref="EOE-IPS-1", birth_unit="RDE03", centre="RM102",
                                          referral_decision="cool"), by=people.nurse)


def test_clinician_filters_the_referrals_of_their_unit(live_server, transactional_db, page: Page,
                                                        people: Personas) -> None:
    _referrals(people)
    base = live_server.url
    sign_in(page, base, people.clinician.username)
    page.get_by_role("link", name="Referrals, cooled or not").click()
    expect(page.get_by_role("heading", name="Referrals", level=1)).to_be_visible()
    table = page.locator("#referral-results table").last
    expect(table.locator("tbody tr")).to_have_count(4)  # Watford's: the Ipswich baby is not listed
    expect(page.get_by_text("EOE-IPS-1")).to_have_count(0)
    _fits(page, "referrals")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Decision on the call").select_option(label="Not recorded")
    page.get_by_role("button", name="Apply filters").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("EOE-NC-2")


def test_network_dashboard_counts_referrals(live_server, transactional_db, page: Page, people: Personas) -> None:
    _referrals(people)
    compute(as_of=date(2025, 3, 1))
    base = live_server.url
    sign_in(page, base, people.lead.username)
    page.goto(f"{base}/kpis/?period=2024")
    section = page.locator("section[aria-labelledby=referrals-heading]")
    expect(section).to_contain_text("5")  # every referral of the network: the lead reads counts, not babies
    expect(section.locator(".app-referral-reasons")).to_contain_text("Parents declined")
    section.scroll_into_view_if_needed()
    _fits(page, "dashboard-referrals")


def test_nurse_records_live_births(live_server, transactional_db, page: Page, people: Personas) -> None:
    live_births_record(unit=Unit.objects.get(ods_code="RDE03"), year=2024, live_births=3500, by=people.nurse)
    base = live_server.url
    sign_in(page, base, people.nurse.username)
    page.goto(f"{base}/units/live-births/")
    expect(page.get_by_role("heading", name="Live births by unit and year", level=1)).to_be_visible()
    page.get_by_label("Unit", exact=True).select_option(label="Watford (RWG02)")
    page.get_by_label("Calendar year").fill("2024")
    page.get_by_label("Live births").fill("5400")
    page.get_by_role("button", name="Save live births").click()
    expect(page.get_by_text("Live births of Watford in 2024 saved: 5,400.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("5,400")
    _fits(page, "live-births")


def test_worklist_lists_the_journey_kinds(live_server, transactional_db, page: Page, people: Personas) -> None:
    _referrals(people)  # one referral without a decision; the cooled babies' scans have no structured report
    # About 26 months old: past the 2-year assessment, inside the worklist's 3-year horizon whatever today is.
    born = (datetime.now(LONDON) - timedelta(days=800)).replace(hour=4, minute=0, second=0, microsecond=0)
    case_create(values=cooled_case_values(case_ref="EOE-FU-1", birth=born, referral_decision="cool",
                                          discharge_datetime=born + timedelta(days=15, hours=8),
                                          followup_2y="completed", followup_2y_date=(born + timedelta(days=740)).date(),
                                          followup_corrected_age_months=24, bayley_version="iii",
                                          bayley_cognitive=92, cerebral_palsy="none"), by=people.nurse)
    base = live_server.url
    sign_in(page, base, people.clinician.username)
    page.goto(f"{base}/cases/worklist/")
    for label in ("MRI without a structured report", "2-year follow-up: outcome items missing",
                  "Referral without a decision"):
        # One list sorted by due date (issue 13); each kind is counted in the "Items by kind" navigation.
        expect(page.locator("nav[aria-label='Items by kind'] li", has_text=label)).to_be_visible()
    page.locator("nav[aria-label='Items by kind'] a", has_text="2-year follow-up: outcome items missing").click()
    missing = "missing: Bayley language composite, Bayley motor composite, vision, hearing, epilepsy"
    expect(page.get_by_role("cell").filter(has_text=missing).first).to_be_visible()
    _fits(page, "worklist")
