"""Two-factor enforcement, idle sign-out and the absolute session lifetime.

`TwoFactorRequiredMiddleware` runs after django_otp's OTPMiddleware (which sets `user.is_verified()`). A user
who has given only a password reaches the two-factor pages, sign-out, static files and the public family
website; everything else sends them to set up or enter a code. The API is exempt when a bearer token is
given (the personal token is its own factor), but a session that has not passed two-factor gets a 403 there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts.services import has_confirmed_device, record_sign_out

if TYPE_CHECKING:
    from core.requests import SignedInUser

# URL names an unverified user may reach. Family pages by name, so /families/manage/ and /families/cases/ stay shut.
OPEN_URL_NAMES = frozenset({
    "login", "logout",
    "accounts:two_factor_setup", "accounts:two_factor_verify", "accounts:accept_invitation",
    "families:home", "families:events", "families:feedback", "families:booklet_pdf", "families:page",
    "families:privacy",
})
IDLE_SESSION_KEY = "accounts_last_seen"
SIGNED_IN_SESSION_KEY = "accounts_signed_in_at"
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
        if not settings.OTP_REQUIRED or not user.is_authenticated or cast("SignedInUser", user).is_verified():
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
    """Sign out a session unused for IDLE_TIMEOUT_MINUTES (shared ward computers stay signed in otherwise), or
    signed in more than SESSION_MAX_HOURS ago however busy (a whole shift at most).

    Whatever headers come with it: a session cookie is judged on its own clocks, so sending an
    `Authorization` header alongside it (a token, a made-up one, Basic) neither skips the check nor keeps the
    session alive. An API call that authenticates with a token does not touch the session's idle clock.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = _session_ended(request, time.time())
            if ended is not None:
                return self._sign_out(request, ended)
            if not _token_call(request):
                _touch(request)
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, ended: str) -> HttpResponse:
        record_sign_out(cast("SignedInUser", request.user), idle=ended == "idle", lifetime=ended == "lifetime")
        logout(request)
        if _token_call(request):
            return self.get_response(request)  # the ended session gave nothing; the token decides (api.authentication)
        if _is_api(request):
            message = ("Signed out after inactivity" if ended == "idle"
                       else f"Signed out: a session lasts at most {settings.SESSION_MAX_HOURS} hours")
            return JsonResponse({"errors": [{"field": None, "rule": f"{ended}_timeout", "message": message}]},
                                status=401)
        flag = "idle" if ended == "idle" else "expired"
        return redirect(f"{reverse('login')}?{urlencode({flag: '1', 'next': request.get_full_path()})}")


def _token_call(request: HttpRequest) -> bool:
    """An API call that names a token (api.authentication checks it); only these may leave the session be."""
    scheme = request.headers.get("Authorization", "").split(" ")[0].lower()
    return _is_api(request) and scheme in {"bearer", "token"}


def _session_ended(request: HttpRequest, now: float) -> str | None:
    """"idle", "lifetime", or None while the session may go on."""
    signed_in = request.session.get(SIGNED_IN_SESSION_KEY)
    if signed_in is None:  # a session from before the lifetime was kept: its clock starts now
        request.session[SIGNED_IN_SESSION_KEY] = signed_in = now
    if now - signed_in > settings.SESSION_MAX_HOURS * 60 * 60:
        return "lifetime"
    last_seen = request.session.get(IDLE_SESSION_KEY)
    if last_seen is not None and now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
        return "idle"
    return None


def _touch(request: HttpRequest) -> None:
    now = time.time()
    last_seen = request.session.get(IDLE_SESSION_KEY)
    if last_seen is None or now - last_seen > TOUCH_SECONDS:
        request.session[IDLE_SESSION_KEY] = now


def stamp_sign_in(request: HttpRequest | None) -> None:
    """Start the idle clock and the lifetime at sign-in (so the first page after it does not write the
    session again)."""
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_SESSION_KEY] = request.session[SIGNED_IN_SESSION_KEY] = time.time()
