"""The live board, the worklist, acknowledging an item, the column guide and TOBY on the case, in Chromium
at 1366 and 768 px: nothing wider than the screen, and the board refreshes itself without a reload.

Full-page screenshots are written to test-results/board/ (git-ignored) to be looked at.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from pathway import services
from pathway.models import Case

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "board"
WIDTHS = (1366, 768)
LATER = (
    "passive_cooling_start",
    "active_cooling_start",
    "core_monitoring_start",
    "target_temp_reached",
    "depart_referring_datetime",
    "arrive_centre_datetime",
    "rewarming_start",
    "rewarming_end",
    "parent_consultation_datetime",
    "mri_datetime",
    "discharge_datetime",
)


def baby(people: Personas, ref: str, age: timedelta, **overrides: Any) -> Case:
    """A cooled outborn baby `age` old now, with every time still in the future left empty."""
    now = timezone.now()
    values = cooled_case_values(case_ref=ref, birth=(now - age).astimezone(LONDON), **overrides)
    for name in LATER:
        if name not in overrides and values[name] is not None and values[name] > now:
            values[name] = None
    if values["discharge_datetime"] is None:
        values.update(outcome="", family_booklet_given="")
    if values["mri_datetime"] is None:
        values["mri_performed"] = ""
    return services.case_create(values=values, by=people.nurse)


def ward(people: Personas) -> dict[str, Case]:
    h = timedelta(hours=1)
    return {
        "early": baby(
            people,
            "EOE-LIVE-01",
            1 * h + 10 * timedelta(minutes=1),
            passive_cooling_start=None,
            core_monitoring_start=None,
            referral_datetime=None,
        ),
        "amber": baby(
            people,
            "EOE-LIVE-02",
            4 * h + 20 * timedelta(minutes=1),
            active_cooling_start=None,
            target_temp_reached=None,
        ),
        "red": baby(
            people,
            "EOE-LIVE-03",
            5 * h + 40 * timedelta(minutes=1),
            active_cooling_start=None,
            target_temp_reached=None,
            depart_referring_datetime=None,
        ),
        "cooling": baby(people, "EOE-LIVE-04", 30 * h),
        "rewarming": baby(people, "EOE-LIVE-05", 78 * h),
        "mri": baby(people, "EOE-LIVE-06", 9 * 24 * h, mri_performed="", mri_datetime=None),
        "home": baby(people, "EOE-LIVE-07", 11 * 24 * h, mri_performed="yes"),
        "outside": baby(
            people,
            "EOE-LIVE-08",
            30 * 24 * h,
            gestation_weeks=35,
            hie_grade=1,
            apgar_10=7,
            resus_at_10min="no",
            base_deficit_60min=None,
            aeeg="normal",
        ),
    }


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()


def shoot(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} at {width} px is {overflow} px wider than the screen"


@pytest.mark.parametrize("width", WIDTHS)
def test_board_pages_fit_and_read(
    live_server: Any, transactional_db: None, page: Page, people: Personas, width: int
) -> None:
    cases = ward(people)
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, people.nurse.username)

    page.get_by_role("link", name="Live board", exact=True).click()
    expect(page.get_by_role("heading", name="Live pathway board", level=1)).to_be_visible()
    expect(page.locator('tr[data-case="EOE-LIVE-02"]')).to_have_attribute("data-clock", "amber")
    expect(page.locator('tr[data-case="EOE-LIVE-03"]')).to_contain_text("Over 5 hours")
    for phase, ref in (
        ("cooling", "EOE-LIVE-04"),
        ("rewarming", "EOE-LIVE-05"),
        ("awaiting_mri", "EOE-LIVE-06"),
        ("awaiting_discharge", "EOE-LIVE-07"),
    ):
        expect(page.locator(f'section[data-phase="{phase}"] tr[data-case="{ref}"]')).to_be_visible()
    shoot(page, "live-board")

    page.get_by_role("link", name="Worklist", exact=True).click()
    expect(page.get_by_role("heading", name="Worklist", level=1)).to_be_visible()
    shoot(page, "worklist")
    page.goto(f"{base}/cases/worklist/acknowledge/{cases['outside'].pk}/?key=data_quality:preterm_cooled")
    expect(page.get_by_role("heading", name="Acknowledge a worklist item")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Choose the reason for acknowledging this item").first).to_be_visible()
    shoot(page, "acknowledge")

    page.goto(f"{base}/cases/import/columns/")
    expect(page.get_by_role("heading", name="Dataset columns: what to put in each")).to_be_visible()
    shoot(page, "column-guide")

    page.goto(f"{base}/cases/{cases['outside'].pk}/")
    expect(page.locator("#toby")).to_contain_text("Cooled with criterion A and B not met")
    shoot(page, "case-toby")
    page.goto(f"{base}/cases/{cases['amber'].pk}/")
    expect(page.locator("[data-stage-now]")).to_contain_text("left in the 6-hour window")
    shoot(page, "case-window")
    page.goto(f"{base}/cases/{cases['outside'].pk}/timeline/")
    expect(page.locator("#toby")).to_be_visible()
    shoot(page, "timeline-toby")


def test_the_board_refreshes_itself_without_a_reload(
    live_server: Any, transactional_db: None, page: Page, people: Personas
) -> None:
    ward(people)
    base = live_server.url
    sign_in(page, base, people.nurse.username)
    page.goto(f"{base}/cases/live/")
    page.evaluate("window.notReloaded = true")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.headers.get("hx-request", "")) if "/cases/live/" in r.url else None)
    baby(
        people,
        "EOE-LIVE-NEW",
        timedelta(minutes=20),
        passive_cooling_start=None,
        core_monitoring_start=None,
        referral_datetime=None,
    )
    # Speed the poll up for the test: htmx re-reads hx-trigger when the element is processed again.
    page.evaluate("""() => { const b = document.getElementById('live-board');
                     b.setAttribute('hx-trigger', 'every 1s'); htmx.process(b); }""")
    expect(page.locator('tr[data-case="EOE-LIVE-NEW"]')).to_be_visible(timeout=10_000)
    assert page.evaluate("window.notReloaded") is True  # the same document: a fragment swap, no reload
    assert "true" in polls
