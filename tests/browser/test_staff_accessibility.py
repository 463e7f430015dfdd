"""The staff screens a nurse specialist uses at 3 a.m. pass an automated WCAG 2.2 AA check (axe-core,
tests/browser/axe.py) in Debian's Chromium: sign-in, case list and record, new case, worklist, timeline,
history, KPI dashboards with their SVG charts, POP, training, improvement, invitations and passwords."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import services as kpi_services
from pathway import services
from tests.browser.axe import AXE, axe_violations  # noqa: F401  (AXE: this module bypasses the CSP)

pytestmark = pytest.mark.browser

PAGES = [
    "/cases/", "/cases/new/", "/cases/worklist/", "/cases/{case}/", "/cases/{case}/timeline/",
    "/cases/{case}/history/", "/kpis/", "/kpis/unit/RWG02/", "/kpis/kpi/cooling_started_6h/funnel/",
    "/kpis/kpi/cooling_started_6h/run/", "/kpis/centre/RGT01/", "/kpis/compare/", "/kpis/definitions/",
    "/kpis/kpi/cooling_started_6h/breaches/", "/kpis/?kind=custom", "/kpis/?start=01/05/2026&end=31/12/2025",
    "/cases/import/", "/pop/", "/pop/new/", "/pop/dashboard/", "/training/",
    "/training/sessions/", "/training/sessions/new/", "/training/units/RWG02/", "/improvement/",
    "/improvement/new/", "/improvement/impact/", "/reports/cases/",
    "/accounts/invitations/", "/accounts/invitations/new/", "/accounts/password/change/", "/api/tokens/",
]


def test_staff_pages_have_no_automatically_detectable_wcag_failures(live_server, transactional_db, page: Page,
                                                                     people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(birth=datetime(2026, 5, 14, 3, 10, tzinfo=LONDON)),
                                by=people.nurse)
    kpi_services.compute()  # the dashboards have figures and charts to show

    found = {}
    for url in ("/accounts/password/reset/", "/accounts/login/"):  # signed out; ends on the sign-in page
        page.goto(f"{live_server.url}{url}")
        found[url] = axe_violations(page)
    page.get_by_label("Username").fill(people.nurse.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()

    for path in PAGES:
        url = path.format(case=case.pk)
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        found[url] = axe_violations(page)

    failing = {url: violations for url, violations in found.items() if violations}
    assert failing == {}, json.dumps(failing, indent=2)


LEAD_PAGES = ["/reports/", "/reports/new/", "/reports/exports/", "/accounts/users/", "/accounts/sign-in-log/"]


def test_network_lead_and_administrator_pages_too(live_server, transactional_db, page: Page,
                                                   people: Personas) -> None:
    found = {}
    for user, paths in ((people.lead, LEAD_PAGES[:3]), (people.admin_user, LEAD_PAGES[3:])):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()
        for url in paths:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            found[url] = axe_violations(page)

    failing = {url: violations for url, violations in found.items() if violations}
    assert failing == {}, json.dumps(failing, indent=2)


def test_the_check_finds_a_field_without_a_label(page: Page) -> None:
    """The guard on the test above: axe, as run here, does report a failure."""
    page.set_content('<html lang="en"><head><title>Check</title></head><body><main><h1>Check</h1>'
                     '<input type="text" name="nhs_number"></main></body></html>')
    assert "label" in {violation["id"] for violation in axe_violations(page)}
