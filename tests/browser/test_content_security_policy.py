"""The Content-Security-Policy (core/security.py) in a real browser: pages run their scripts and styles
from static files and Chromium reports no violation; the Swagger UI page still renders under its own,
path-scoped policy."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from kpis import services as kpi_services
from pathway import services

pytestmark = pytest.mark.browser



def _watch_violations(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()


def test_pages_work_under_the_policy(live_server, transactional_db, page: Page, people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(case_ref="EOE-CSP-1"), by=people.nurse)
    kpi_services.compute()
    violations = _watch_violations(page)
    _sign_in(page, live_server.url)
    # The static scripts ran: js-enabled.js set the body classes, htmx loaded, app.css applied.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    assert page.evaluate("typeof htmx") == "object"
    for path in ["/kpis/", f"/cases/{case.pk}/", "/cases/new/", "/families/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert "default-src 'self'" in (response.header_value("content-security-policy") or "")
    page.goto(f"{live_server.url}/kpis/")
    expect(page.locator("figure.app-chart svg").first).to_be_visible()
    # The one refusal: the <style> matplotlib writes into each chart (scoped to the chart's id, so no fixed
    # hash can allow it). app.css carries the same rule, so the chart is drawn the same.
    chart_styles = page.evaluate("[...document.querySelectorAll('svg style')].map(s => s.textContent)")
    assert chart_styles and all("stroke-linejoin: round" in text for text in chart_styles)
    allowed = {_sha256(text) for text in chart_styles}
    assert [v for v in violations if not any(h in v for h in allowed)] == []
    line_join = page.evaluate("getComputedStyle(document.querySelector('figure.app-chart svg path')).strokeLinejoin")
    assert line_join == "round"


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_swagger_ui_renders_under_its_scoped_policy(live_server, transactional_db, page: Page,
                                                    people: Personas) -> None:
    violations = _watch_violations(page)
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Neuroprotection pathway tracker API")
    assert violations == []
