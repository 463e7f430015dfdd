"""The KPI and POP dashboards as a cooling-centre consultant sees them, in Debian's Chromium, on two years of demo
data (issue 15): every page fits a 1366 px laptop and a 768 px tablet with no sideways scrolling and no table wider
than its container, details opened; printed, with no link addresses, the overview and the POP dashboard are two A4
landscape pages and a unit's or a cooling centre's page is one. The printed overview says what it is (the network,
the period, live figures, when the page was opened): its table is the first page; the chart, tall enough for 7pt
labels, beside celebrating success and the referrals the second.

Screenshots (full page, every width) and the PDF are written to test-results/dashboards/ (git-ignored), the
artefacts a reviewer opens.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, Page

from kpis import services
from pathway.management.commands.seed_demo import seed_demo_data
from pop import services as pop_services
from pop.management.commands.seed_pop import seed_pop_data
from tests.browser import dbsnapshot
from units.demo_users import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "dashboards"
WIDTHS = ((1366, 768), (768, 1024))
PAGES = {
    "overview": "/kpis/",
    "unit": "/kpis/unit/RWG02/",
    "centre": "/kpis/centre/RGT01/",
    "compare-cooling": "/kpis/compare/",
    "compare-centre": "/kpis/compare/?group=centre&level=cooling_centre",
    "funnel": "/kpis/kpi/cooling_started_6h/funnel/",
    "run": "/kpis/kpi/cooling_started_6h/run/",
    "run-unit-quarters": "/kpis/kpi/age_at_cooling_start_min/run/?level=birth_unit&org=RWG02&by=quarter",
    "breaches": "/kpis/kpi/overcooling_before_centre/breaches/",
    "definitions": "/kpis/definitions/",
    "financial-year": "/kpis/?period=FY{fy}",
    "dates-you-choose": "/kpis/?start=01/01/{year}&end=15/03/{year}",
    "pop": "/pop/dashboard/",
    "pop-unit": "/pop/dashboard/?unit=RWG02&kpi=pop_magnesium_sulphate&trend=quarter",
}
# Printed: each page's number of A4 landscape sheets.
PRINTED = {"overview": ("/kpis/", 2), "unit": ("/kpis/unit/RWG02/", 1), "centre": ("/kpis/centre/RGT01/", 1),
           "pop": ("/pop/dashboard/?unit=RWG02", 2)}
# A4 landscape, less the print stylesheet's margins (10 mm each side), at 96 px per inch.
PRINT_WIDTH_PX = round((297 - 20) / 25.4 * 96)

# Every table's width against its container's, and anything wider than the viewport.
OVERFLOW = """() => {
  const tables = [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null).map(t => {
    const box = t.getBoundingClientRect(), parent = t.parentElement.getBoundingClientRect();
    return {caption: (t.caption ? t.caption.textContent : t.className).trim().slice(0, 60),
            width: box.width, container: parent.width, left: box.left, containerLeft: parent.left};
  });
  return {scrollWidth: document.documentElement.scrollWidth, tables,
          wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >
                 document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)};
}"""


# The seeded database of each day, kept for this module's next test (tests/browser/dbsnapshot.py).
_SEEDED: dict[str, dbsnapshot.Snapshot] = {}


@pytest.fixture
def demo_network(transactional_db: None) -> dict[str, str]:
    """Two years of demo cases (every unit, the demo logins), their figures and the demo aims; a year of POP
    records and their figures. Seeded for the first test; the next gets the same rows back from a snapshot."""
    as_of = timezone.localdate()
    if as_of.isoformat() in _SEEDED:
        dbsnapshot.restore(_SEEDED[as_of.isoformat()])
    else:
        seed_demo_data(seed=7, as_of=as_of, years=2)  # one transaction: one recompute when it commits
        services.compute(as_of=as_of)
        with transaction.atomic():
            seed_pop_data(seed=7, as_of=as_of, years=1)
        pop_services.compute_pop_kpis(as_of=as_of)
        call_command("seed_aims", verbosity=0)
        _SEEDED[as_of.isoformat()] = dbsnapshot.take()
    financial = as_of.year if as_of.month >= 4 else as_of.year - 1
    return {"fy": f"{financial - 1}-{financial % 100:02d}", "year": str(as_of.year - 1)}


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("consultant")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/cases/"))


def _overflow(page: Page, width: int) -> list[str]:
    found: dict[str, Any] = page.evaluate(OVERFLOW)
    problems = [f"page is {found['scrollWidth']} px wide" for _ in [0] if found["scrollWidth"] > width]
    problems += [f"table {t['caption']!r} is {t['width']:.0f} px in a {t['container']:.0f} px container"
                 for t in found["tables"] if t["width"] > t["container"] + 0.5 or t["left"] < t["containerLeft"] - 0.5]
    return problems + [f"{element} runs past the right edge" for element in found["wide"]]


def test_every_dashboard_fits_a_laptop_and_a_tablet(live_server: Any, demo_network: dict[str, str],
                                                     browser: Browser) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for width, height in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        _sign_in(page, live_server.url)
        for name, path in PAGES.items():
            response = page.goto(live_server.url + path.format(**demo_network))
            assert response is not None and response.status == 200, path
            # Open every definition and data table: they must fit too once a consultant opens them.
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)
            if found := _overflow(page, width):
                problems[f"{name} at {width} px"] = found
        context.close()
    assert problems == {}


def test_printed_dashboards_fit_a4_landscape_without_link_addresses(
        live_server: Any, demo_network: dict[str, str], browser: Browser) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    _sign_in(page, live_server.url)
    printed: dict[str, int] = {}
    for name, (path, _) in PRINTED.items():
        page.set_viewport_size({"width": 1366, "height": 768})
        page.emulate_media(media="screen")
        page.goto(f"{live_server.url}{path}")
        assert not page.locator("[data-print-stamp]").is_visible(), name  # printed only
        page.emulate_media(media="print")
        after = page.evaluate("() => [...document.querySelectorAll('a')].map(a => getComputedStyle(a, '::after')"
                              ".content).filter(c => c && c !== 'none' && c !== 'normal')")
        assert after == [], name  # NHS.UK's print rule would add " (Link: /kpis/…)" after every link
        assert "Link:" not in page.inner_text("body"), name
        if name == "overview":
            stamp = page.inner_text("[data-print-stamp]")
            for words in ("East of England Neonatal ODN", "Live figures", "Printed from the page opened"):
                assert words in stamp, stamp
            assert re.search(r"12 months to \d+ \w+ \d{4}", stamp), stamp
        page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 700})  # the printed page's width
        assert _overflow(page, PRINT_WIDTH_PX) == [], name
        pdf = page.pdf(path=str(ARTEFACTS / f"{name}-print.pdf"), prefer_css_page_size=True, print_background=True)
        sizes = {tuple(round(float(v)) for v in box)
                 for box in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)}
        assert sizes == {(842, 595)}, name  # A4 landscape, in points
        printed[name] = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert printed == {name: pages for name, (_, pages) in PRINTED.items()}
    context.close()
