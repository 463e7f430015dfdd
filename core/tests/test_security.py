"""Production hardening: `check --deploy` is clean, every page carries the security headers, error pages
say nothing about the request, and NHS numbers never reach a log line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

from core.security import CSP, REDACTED, RedactNhsNumbersFilter, redact_nhs_numbers
from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from pathway import services

VALID_NHS = "9434765919"  # passes Modulus 11 (NHS Digital's published test number)
INVALID_NHS = "9434765910"


def test_check_deploy_reports_nothing_in_production_settings() -> None:
    """A separate process, because DEBUG=false changes settings that are read once at import."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DEBUG="false", SECRET_KEY="x" * 30 + "a-long-random-production-secret-1234567890",
               ALLOWED_HOSTS="pathway.example.nhs.uk", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the checks settings.SILENCED_SYSTEM_CHECKS silences, each with its reason written beside it.
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("name", ["login", "families:home"])
def test_anonymous_pages_carry_the_security_headers(client: Client, network: object, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    _assert_headers(response)


def _assert_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Content-Security-Policy"] == CSP
    assert "script-src 'self';" in CSP and "'unsafe-inline'" not in CSP.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in CSP and "form-action 'self'" in CSP and "img-src 'self' data:" in CSP
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]


def test_signed_in_pages_carry_the_headers_and_no_inline_script(client: Client, people: Personas) -> None:
    case = services.case_create(values=cooled_case_values(case_ref="EOE-SEC-1"), by=people.nurse)
    client.force_login(people.nurse)
    for url in [reverse("pathway:case_list"), reverse("pathway:case_create"), reverse("kpis:overview"),
                reverse("pathway:case_detail", args=[case.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_headers(response)
        html = response.content.decode()
        # Every <script> has a src: the policy would refuse an inline one.
        assert html.count("<script") == html.count("<script src=") + html.count('<script type="module" src='), url
        assert "<style" not in html.split("<svg")[0], url  # the only <style> left is matplotlib's, inside SVG


def test_swagger_page_alone_may_run_its_inline_script(client: Client, people: Personas) -> None:
    client.force_login(people.nurse)
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in docs.headers["Content-Security-Policy"]
    assert client.get(reverse("api:tokens")).headers["Content-Security-Policy"] == CSP


def _failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"NHS {VALID_NHS} baby Smith")


# This module doubles as the URLconf of the error-page test: one view that fails with case details.
urlpatterns = [path("cases/1/", _failing_view)]


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_server_error_page_is_generic(db: None, caplog: pytest.LogCaptureFixture) -> None:
    """A view failing with case details in its error shows the generic NHS.UK-style page, nothing else."""
    response = Client(raise_request_exception=False).get("/cases/1/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body and "RuntimeError" not in body and VALID_NHS not in body
    assert response.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize(("text", "expected"), [
    (f"saving case {VALID_NHS} failed", f"saving case {REDACTED} failed"),
    ("nhs=943 476 5919;", f"nhs={REDACTED};"),
    ("nhs=943-476-5919", f"nhs={REDACTED}"),
    (f"not a number: {INVALID_NHS}", f"not a number: {INVALID_NHS}"),  # fails Modulus 11: kept
    (f"longer run 1{VALID_NHS}", f"longer run 1{VALID_NHS}"),  # part of an 11-digit number
    ("took 1234 ms", "took 1234 ms"),
])
def test_redact_nhs_numbers(text: str, expected: str) -> None:
    assert redact_nhs_numbers(text) == expected


def test_log_filter_redacts_message_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("core.tests.redaction")
    handler_filter = RedactNhsNumbersFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("Import row 3: NHS number %s already used", VALID_NHS)
        try:
            raise ValueError(f"duplicate {VALID_NHS}")
        except ValueError:
            logger.exception("save failed")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert VALID_NHS not in caplog.text
    assert f"NHS number {REDACTED} already used" in caplog.text
    assert f"ValueError: duplicate {REDACTED}" in caplog.text


def test_every_configured_handler_redacts() -> None:
    logging_config: dict[str, Any] = settings.LOGGING
    assert logging_config["filters"]["redact_nhs_numbers"]["()"] == "core.security.RedactNhsNumbersFilter"
    assert all("redact_nhs_numbers" in h.get("filters", []) for h in logging_config["handlers"].values())
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactNhsNumbersFilter) for f in handler.filters)


def test_connections_are_health_checked() -> None:
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
