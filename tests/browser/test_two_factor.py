"""End to end in Debian's Chromium with two-factor on: a nurse signs in with her password, sets up an
authenticator from the secret shown on the page, keeps her backup codes and reaches the case list; then signs
out, and signing in again asks for a code (a wrong one is refused)."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from core.testing.personas import Personas

pytestmark = pytest.mark.browser


def _password(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()


def test_nurse_sets_up_two_factor_and_reaches_the_cases(live_server, transactional_db, page: Page,
                                                        people: Personas, settings) -> None:
    settings.OTP_REQUIRED = True  # live_server runs in this process, so it sees the override
    base = live_server.url
    _password(page, base, people.nurse.username)

    expect(page.get_by_role("heading", name="Set up two-factor authentication", level=1)).to_be_visible()
    expect(page.locator(".app-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=people.nurse, confirmed=False)
    # The code comes from the secret as shown, as an authenticator app would compute it.
    key = b32decode(secret + "=" * (-len(secret) % 8))
    assert key == device.bin_key
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm code").click()

    expect(page.get_by_role("heading", name="Your backup codes", level=1)).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    _password(page, base, people.nurse.username)
    expect(page.get_by_role("heading", name="Enter your code", level=1)).to_be_visible()
    wrong = "000000" if f"{totp(key):06d}" != "000000" else "111111"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_code_error")).to_contain_text("Code is not correct")
    expect(page.get_by_role("heading", name="Cases", level=1)).to_have_count(0)
