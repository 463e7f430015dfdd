"""Request middleware of the web hardening (issue 12).

- `RealClientAddressMiddleware`: behind a reverse proxy every request comes from the proxy's own address, so
  a rate limit keyed on it is one limit for everybody. With TRUSTED_PROXY_COUNT proxies in front (nginx sets
  X-Forwarded-For, appending the address it was reached from), the client is the entry that many places
  from the right; anything further left was written by the client and is ignored. The address is put in
  REMOTE_ADDR, so every consumer (the family feedback limit, password-reset limits, django-axes' log) counts
  the real client, and the proxy's own address stays in PROXY_REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
