"""Response headers Django does not set itself, and a logging filter that keeps NHS numbers out of logs.

Django's SecurityMiddleware already sends X-Content-Type-Options, HSTS (production) and the referrer
policy setting; XFrameOptionsMiddleware sends X-Frame-Options. Django 5.2 has no Content-Security-Policy,
so this middleware adds one (plus Permissions-Policy and Cross-Origin-Opener-Policy), and
`Cache-Control: no-store` on everything a signed-in user sees and on every API answer.

The policy refuses every inline script and inline <style> element: the templates load static/js and
static/css files instead. Inline style *attributes* stay allowed (style-src-attr): matplotlib's SVG
charts and a few progress bars carry them, and an attribute cannot run script or select other elements.
The Swagger UI page is a third-party template with inline script and styles, so only that path gets them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Final

from django.http import HttpRequest, HttpResponse

from pathway.nhs_number import is_valid_nhs_number

CSP: Final = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# drf-spectacular's swagger_ui.html has an inline <script> (its settings) and an inline <style>.
CSP_SWAGGER: Final = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'", 1
)
SWAGGER_PATH: Final = "/api/docs/"
API_PREFIX: Final = "/api/"
# Features a clinical data-entry service never needs; "()" means no origin may use them.
PERMISSIONS_POLICY: Final = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        csp = CSP_SWAGGER if request.path == SWAGGER_PATH else CSP
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if holds_private_data(request) and "no-store" not in response.headers.get("Cache-Control", ""):
            # Nothing a signed-in user is shown (case pages, lists, exports) or the API answers may be kept by
            # the browser's cache or a proxy: a shared ward computer's Back button must not show a baby.
            response.headers["Cache-Control"] = "no-store"
        return response


def holds_private_data(request: HttpRequest) -> bool:
    """A response that may hold patient data: anything for a signed-in user, and every API answer. The public
    family website and static files (no user on the request yet) stay cacheable."""
    if request.path.startswith(API_PREFIX):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


# Ten digits not inside a longer number, with at most one separator between any two of them: a space or tab
# (3-3-4 as printed on NHS letters, or typed any other way), a dash, a "+" or "%20" (a space in a query
# string, as an access log or a traceback's URL has it). Only runs passing Modulus 11 are redacted, so
# timestamps and counts mostly survive.
_SEPARATOR: Final = r"(?:[ \t+\-]|%20)?"
_CANDIDATE: Final = re.compile(r"(?:(?<=%20)|(?<!\d))" + _SEPARATOR.join([r"\d"] * 10) + r"(?!\d)")
REDACTED: Final = "[NHS number]"


def redact_nhs_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0).replace("%20", ""))
        return REDACTED if is_valid_nhs_number(digits) else match.group(0)

    return _CANDIDATE.sub(replace, text)


class RedactNhsNumbersFilter(logging.Filter):
    """Rewrites each record's final message (and any exception text) with NHS numbers replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_nhs_numbers(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_nhs_numbers(record.exc_text)
        return True
