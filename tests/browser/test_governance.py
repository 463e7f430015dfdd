"""In Debian's Chromium at 1366 and 768 px (issue 12): a case under a national data opt-out says so plainly, the
import page offers nurse specialists "Overwrite newer changes", and a background import shows its progress bar,
then the refused file's errors. Screenshots in test-results/governance/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import import_jobs, services
from pathway.models import ImportJob
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser
ARTEFACTS = Path(django_settings.BASE_DIR) / "test-results" / "governance"
WIDTHS = (1366, 768)


def _shots(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # The page's own content (the site header's navigation is base.html's, shared by every page).
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className)""")
        assert not wide, f"{name} overflows at {width} px: {wide[:5]}"
        page.screenshot(path=str(ARTEFACTS / f"{name}-{width}.png"), full_page=True)


def test_governance_pages_read_well(live_server, transactional_db, page: Page, people: Personas,
                                    tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = services.case_create(values=cooled_case_values(case_ref="EOE-OPT-OUT", national_opt_out="yes"),
                                by=people.nurse)
    running = ImportJob.objects.create(filename="national-extract.csv", created_by=people.nurse, status="running",
                                       progress_total=200_000, progress_done=73_000)
    refused = ImportJob.objects.create(filename="old-extract.csv", created_by=people.nurse, status="refused",
                                       progress_total=200)
    refused.result = {"created": 0, "updated": 0, "unchanged": 0, "flagged": 0, "error_count": 1, "bad_rows": 1,
                      "errors": [{"row": 31, "column": "gestation_weeks", "value": "50",
                                  "message": "Ensure this value is less than or equal to 44."}]}
    refused.save()
    assert import_jobs.result_view(refused).errors
    base = live_server.url
    sign_in(page, base, people.nurse.username)

    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.get_by_test_id("national-opt-out")).to_contain_text("left out of every export, API read")
    _shots(page, "case-opt-out")

    page.goto(f"{base}/cases/import/")
    expect(page.get_by_label("Overwrite newer changes")).to_be_visible()
    _shots(page, "import-page")

    page.goto(f"{base}/cases/import/jobs/{running.pk}/")
    expect(page.get_by_text("Running: 36% done")).to_be_visible()
    _shots(page, "import-job-running")

    page.goto(f"{base}/cases/import/jobs/{refused.pk}/")
    expect(page.get_by_text("Nothing was imported. Correct the file")).to_be_visible()
    _shots(page, "import-job-refused")
