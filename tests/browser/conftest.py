"""Playwright against Debian's Chromium (no browser download; stack.md §4 and pitfall 3)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium's calls home are refused by this closed network.
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}



@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    # axe-core is injected with add_script_tag, an inline script the Content-Security-Policy refuses: only
    # the modules that run axe (they define AXE, its path) bypass the policy; every other page runs under it.
    return {**browser_context_args, "bypass_csp": hasattr(request.module, "AXE")}
