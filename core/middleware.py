"""Request middleware of the web hardening (issue 12).

- `RealClientAddressMiddleware`: behind a reverse proxy every request comes from the proxy's own address, so
  a rate limit keyed on it is one limit for everybody. With TRUSTED_PROXY_COUNT proxies in front (nginx sets
  X-Forwarded-For, appending the address it was reached from), the client is the entry that many places
  from the right; anything further left was written by the client and is ignored. The address is put in
  REMOTE_ADDR, so every consumer (the family feedback limit, password-reset limits, django-axes' log) counts
  the real client, and the proxy's own address stays in PROXY_REMOTE_ADDR.
- `BadInputMiddleware`: a NUL byte (code 0) is never data here, and PostgreSQL refuses it in any text
  value, so a NUL anywhere in the path, the query string or a posted form is a 400 naming where it was,
  before any view or query runs (instead of a 500 from the database). Other malformed values (dates that
  do not exist, page numbers that are not numbers) are the forms' business: they name the field and rule or
  ignore the filter.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string

PROXY_REMOTE_ADDR = "PROXY_REMOTE_ADDR"


def client_address(meta: Mapping[str, Any], trusted_proxies: int) -> str:
    """The client's address: REMOTE_ADDR without trusted proxies; otherwise X-Forwarded-For's entry
    `trusted_proxies` from the right, when the header has that many and it is an IP address."""
    remote = str(meta.get("REMOTE_ADDR", ""))
    if trusted_proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted_proxies:
        return remote  # not through every proxy (a health probe straight to gunicorn): the peer is all we know
    # An IPv6 zone ("fe80::1%eth0") says which interface, not which client: without it, one client is
    # one key however the zone is written.
    candidate = forwarded[-trusted_proxies].split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class RealClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        meta[PROXY_REMOTE_ADDR] = meta.get("REMOTE_ADDR", "")
        meta["REMOTE_ADDR"] = client_address(meta, settings.TRUSTED_PROXY_COUNT)
        return self.get_response(request)


NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def nul_byte_in(request: HttpRequest) -> str | None:
    """Where the request carries a NUL byte ("the address", "the filter 'year'", "the form field 'q'"), or None."""
    if NUL in request.path_info:
        return "the address"
    found = _nul_in(request.GET, "the filter")
    if found is None and request.method == "POST" and request.content_type in _FORM_TYPES:
        found = _nul_in(request.POST, "the form field")
    return found


def _nul_in(data: QueryDict, what: str) -> str | None:
    for key, values in data.lists():
        if NUL in key or any(NUL in value for value in values):
            return f"{what} '{key.replace(NUL, '')}'"
    return None


class BadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_byte_in(request)
        if where is None:
            return self.get_response(request)
        message = (f"The request was refused: {where} contains a NUL character (code 0), which is never allowed. "
                   "Remove it and try again.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"errors": [{"field": None, "rule": "nul_byte", "message": message}]}, status=400)
        return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)
