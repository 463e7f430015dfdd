"""Signing in through the sign-in page, as the browser tests' personas (core.testing.personas) do."""

from __future__ import annotations

from playwright.sync_api import Page, expect

# The password core.testing.personas.make_user gives every test user.
PASSWORD = "correct-horse-battery"


def sign_in(page: Page, base: str, username: str, *, lands: str | None = "Cases") -> None:
    """Sign in at `base` as `username` and wait for the landing page's heading: the case list, where most
    staff land after signing in (None: the caller checks where it landed, e.g. a regional lead's dashboard)."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if lands is not None:
        expect(page.get_by_role("heading", name=lands, level=1)).to_be_visible()
