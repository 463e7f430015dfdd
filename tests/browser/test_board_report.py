"""End to end in Debian's Chromium: a network lead makes a board report, publishes and signs it off,
downloads it; the records then change and the KPIs are recomputed; the same report downloads with the same
figures, while a new draft shows the new ones."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import Personas
from kpis import services as kpi_services
from reporting.tests.conftest import AS_OF, cooled

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Account")).to_be_visible()


def _download_csv(page: Page) -> bytes:
    page.get_by_role("button", name="Download CSV").click()
    link = page.get_by_role("link", name="Download ")
    expect(link).to_be_visible(timeout=30_000)
    expect(page.locator(".app-job-steps li")).to_have_count(4)
    with page.expect_download() as download:
        link.click()
    return Path(download.value.path()).read_bytes()


def _network_row(data: bytes, measure: str) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return next(r for r in rows if r["Level"] == "Network" and r["Measure"] == measure)


def test_lead_publishes_a_report_and_downloads_the_same_figures_after_the_data_change(
        live_server: Any, transactional_db: Any, page: Page, people: Personas, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    for day, minutes in enumerate((30, 200, 400), start=1):
        cooled(people, day=day, minutes=minutes)
    cooled(people, day=9, minutes=60, birth_unit="RDE03", centre="RM102")
    kpi_services.compute(as_of=AS_OF)
    base = live_server.url
    _sign_in(page, base, people.lead.username)

    page.goto(f"{base}/reports/")
    page.get_by_role("link", name="New report").click()
    page.get_by_label("Title").fill("Network board report 2024")
    page.get_by_label("Period").select_option("2024")
    page.get_by_label("Summary").fill("Cooling within 6 hours is holding.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("Draft, not signed off.")).to_be_visible()

    page.get_by_role("link", name="Publish and sign off").click()
    expect(page.get_by_text("This locks the report")).to_be_visible()
    page.get_by_label("I have checked the figures and sign this report off for the board").check()
    page.get_by_role("button", name="Publish and sign off").click()
    expect(page.get_by_text("Report published and signed off.")).to_be_visible()
    expect(page.locator("[data-status=published]")).to_contain_text("Published, version 1.")
    report_url = page.url

    first = _download_csv(page)
    assert (_network_row(first, "Cooling started within 6 hours")["Met"],
            _network_row(first, "Cooling started within 6 hours")["Eligible"]) == ("3", "4")

    cooled(people, day=20, minutes=500)  # a late-entered baby, cooled late
    kpi_services.compute(as_of=AS_OF)

    page.goto(report_url)
    second = _download_csv(page)
    assert second == first  # the same file: the same figures

    page.goto(f"{base}/reports/new/")
    page.get_by_label("Title").fill("Live check")
    page.get_by_label("Period").select_option("2024")
    page.get_by_role("button", name="Save and preview").click()
    live = page.locator("section[data-section=hie] table").first.locator("tr", has_text="Cooling started within 6")
    expect(live.locator("td").nth(0)).to_have_text("60%")  # the draft is live: 3 met of 5
    expect(live.locator("td").nth(2)).to_have_text("3")
    expect(live.locator("td").nth(3)).to_have_text("5")
