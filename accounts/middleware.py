"""Two-factor enforcement and idle sign-out.

`TwoFactorRequiredMiddleware` runs after django_otp's OTPMiddleware (which sets `user.is_verified()`). A user
who has given only a password reaches the two-factor pages, sign-out, static files and the public family
website; everything else sends them to set up or enter a code. The API is exempt when a bearer token is
given (the personal token is its own factor), but a session that has not passed two-factor gets a 403 there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts.services import has_confirmed_device, record_sign_out

# URL names an unverified user may reach. Family pages by name, so /families/manage/ and /families/cases/ stay shut.
OPEN_URL_NAMES = frozenset({
    "login", "logout",
    "accounts:two_factor_setup", "accounts:two_factor_verify", "accounts:accept_invitation",
    "families:home", "families:events", "families:feedback", "families:booklet_pdf", "families:page",
    "families:privacy",
})
IDLE_SESSION_KEY = "accounts_last_seen"
# The last-seen time is rewritten at most once a minute: not a session write on every request, and the idle
# limit is still kept to the minute.
TOUCH_SECONDS = 60


def _url_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return match.view_name


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not settings.OTP_REQUIRED or not user.is_authenticated or user.is_verified():
            return None
        if request.path_info.startswith(settings.STATIC_URL) or _url_name(request) in OPEN_URL_NAMES:
            return None
        if _is_api(request):
            if request.headers.get("Authorization", "").split(" ")[0].lower() in {"bearer", "token"}:
                return None  # token authentication decides (api.authentication), not this session
            return JsonResponse({"errors": [{"field": None, "rule": "two_factor",
                                             "message": "Finish two-factor sign-in before using the API "
                                                        "with your session, or use a personal API token"}]},
                                status=403)
        name = "accounts:two_factor_verify" if has_confirmed_device(user) else "accounts:two_factor_setup"
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


class IdleSignOutMiddleware:
    """Sign out a session unused for IDLE_TIMEOUT_MINUTES (shared ward computers stay signed in otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.headers.get("Authorization"):
            now = time.time()
            last_seen = request.session.get(IDLE_SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                record_sign_out(request.user, idle=True)
                logout(request)
                if _is_api(request):
                    return JsonResponse({"errors": [{"field": None, "rule": "idle_timeout",
                                                     "message": "Signed out after inactivity"}]}, status=401)
                return redirect(f"{reverse('login')}?{urlencode({'idle': '1', 'next': request.get_full_path()})}")
            if last_seen is None or now - last_seen > TOUCH_SECONDS:
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)


def stamp_sign_in(request: HttpRequest | None) -> None:
    """Start the idle clock at sign-in (so the first page after it does not write the session again)."""
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_SESSION_KEY] = time.time()
