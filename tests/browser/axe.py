"""axe-core in the page: WCAG 2.2 AA rules.

axe-core is pinned in frontend/package.json and copied by `make assets` into tests/browser/vendor, which is
committed (with its licence), so the accessibility tests run on a machine without Node.

A test module that imports AXE gets a browser context that bypasses the Content-Security-Policy
(tests/browser/conftest.py), because axe is injected as an inline script. axe finds only what a machine
can find (about a third of WCAG issues); it does not replace a manual check with a keyboard and a screen
reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    assert AXE.exists(), f"{AXE} is missing: restore it from git, or rebuild it with `make assets`"
    page.add_script_tag(path=str(AXE))
    # Every node of a violation is reported; passes (and incomplete results, unread here) keep one node per rule,
    # not every node that passed: axe then runs the same rules on the same page about 2.7 times faster
    # (0.93 → 0.34 s a page, measured on seven staff pages), which the accessibility tests repeat on ~80 pages.
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", WCAG_22_AA)
    assert result["passes"], "axe ran no check"
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
