"""End to end in Debian's Chromium (issue 18): with the East of England and the London networks loaded, a
London nurse specialist sees London's cases and the baby born in the East of England and cooled in London, never
an East of England-only case; the regional lead reads the KPI dashboard and downloads the pseudonymised export
but opens no case. Screenshots at 1366 and 768 px in test-results/networks/."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas, make_user
from core.timeutil import LONDON
from pathway.services import case_create
from tests.browser.signin import sign_in
from units.models import Role, Unit
from units.services import LONDON_FILE, organisations_load_file

pytestmark = pytest.mark.browser
SHOTS = Path("test-results/networks")
WIDTHS = (1366, 768)
PLACES = {"NET-E": ("RWG02", "RGT01"), "NET-L": ("RAPNM", "RRV03"), "NET-X": ("RQWG0", "RQXM1")}


def _setup(people: Personas) -> dict[str, int]:
    organisations_load_file(LONDON_FILE)
    uch = Unit.objects.get(ods_code="RRV03")
    make_user("lana", uch, Role.NURSE_SPECIALIST, first="Lana", last="London")
    make_user("rhea", uch, Role.REGIONAL_LEAD, first="Rhea", last="Regional")
    birth = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)
    return {ref: case_create(values=cooled_case_values(case_ref=ref, birth=birth, birth_unit=born, centre=centre),
                             by=people.nurse).pk for ref, (born, centre) in PLACES.items()}


def _shots(page: Page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_a_london_nurse_sees_londons_cases_and_the_cross_boundary_baby(live_server, transactional_db, page: Page,
                                                                      people: Personas) -> None:
    pks = _setup(people)
    base = live_server.url
    sign_in(page, base, "lana")
    results = page.locator("table").last
    expect(results).to_contain_text("NET-L")
    expect(results).to_contain_text("NET-X")  # born at Harlow (East of England), cooled at Homerton
    expect(page.get_by_text("NET-E")).to_have_count(0)
    _shots(page, "london-nurse-cases")
    page.set_viewport_size({"width": 1366, "height": 900})
    response = page.goto(f"{base}/cases/{pks['NET-E']}/")
    assert response is not None and response.status == 404
    response = page.goto(f"{base}/cases/{pks['NET-X']}/")
    assert response is not None and response.status == 200
    expect(page.get_by_text("Princess Alexandra", exact=False).first).to_be_visible()  # Harlow


def test_the_regional_lead_reads_figures_and_a_pseudonymised_export_only(live_server, transactional_db, page: Page,
                                                                        people: Personas) -> None:
    pks = _setup(people)
    base = live_server.url
    sign_in(page, base, "rhea", lands=None)
    expect(page).to_have_url(f"{base}/kpis/")  # the KPI dashboard, not an empty case list
    expect(page.get_by_text("NET-L")).to_have_count(0)  # no case list: it shows identifiers
    _shots(page, "regional-landing")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/cases/")
    expect(page.get_by_text("NET-L")).to_have_count(0)
    _shots(page, "regional-cases")
    page.set_viewport_size({"width": 1366, "height": 900})
    for pk in pks.values():
        response = page.goto(f"{base}/cases/{pk}/")
        assert response is not None and response.status == 404
    response = page.goto(f"{base}/kpis/")
    assert response is not None and response.status == 200
    _shots(page, "regional-dashboard")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/cases/import/")
    expect(page.get_by_role("button", name="Download identifiable CSV")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download pseudonymised CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert len(text.strip().splitlines()) == 3  # header, NET-L and NET-X: London's, pseudonymised
    assert "NET-" not in text
    _shots(page, "regional-export")
