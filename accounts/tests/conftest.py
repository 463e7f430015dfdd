from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def otp_on(settings):
    """Two-factor enforced, as in production (config/test_settings.py turns it off for the rest of the suite)."""
    settings.OTP_REQUIRED = True
    return settings


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
