"""axe-core (WCAG 2.2 AA tags, tests/browser/axe.py) on the pages of issue 13: the live board with a baby in
every phase, the worklist, acknowledging an item (and its refusal), the import column guide, and a case page
with its TOBY criteria and a warning to acknowledge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import Personas
from tests.browser.axe import AXE, axe_violations  # noqa: F401  (AXE: this module bypasses the CSP)
from tests.browser.test_board_pages import sign_in, ward

pytestmark = pytest.mark.browser


def test_board_pages_have_no_automatically_detectable_wcag_failures(
    live_server: Any, transactional_db: None, page: Page, people: Personas
) -> None:
    cases = ward(people)
    base = live_server.url
    sign_in(page, base, people.nurse.username)
    outside = cases["outside"].pk
    found = {}
    for path in (
        "/cases/live/",
        "/cases/worklist/",
        "/cases/worklist/?kind=data_quality&due=no_date",
        f"/cases/worklist/acknowledge/{outside}/?key=data_quality:preterm_cooled",
        "/cases/import/columns/",
        f"/cases/{outside}/",
        f"/cases/{cases['amber'].pk}/",
        f"/cases/{outside}/timeline/",
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        found[path] = axe_violations(page)
    page.goto(f"{base}/cases/worklist/acknowledge/{outside}/?key=data_quality:preterm_cooled")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    found["acknowledge refused"] = axe_violations(page)
    failing = {url: violations for url, violations in found.items() if violations}
    assert failing == {}, json.dumps(failing, indent=2)
