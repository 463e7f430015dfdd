"""`Authorization: Bearer <key>` with a personal token; the request then acts as the token's user, so
access (units.access) and the audit trail are exactly those of that person."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import ApiToken, key_hash
from api.services import token_touch

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours: the session (browsable docs) may still authenticate
        if len(parts) != 2:  # keyword and key
            raise AuthenticationFailed("Give the token as 'Authorization: Bearer <key>'")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token holds characters a key never has") from None
        token = ApiToken.objects.for_key(key)
        if token is None:
            raise AuthenticationFailed(_refusal(key))
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes a missing or bad token a 401 (with this challenge) rather than a 403.
        return 'Bearer realm="api"'


def _refusal(key: str) -> str:
    """Why a key does not work: an expired token says when and what to do; anything else says no more."""
    expired = ApiToken.objects.filter(key_hash=key_hash(key), revoked_at__isnull=True,
                                      expires_at__lte=timezone.now()).values_list("expires_at", flat=True).first()
    if expired is not None:
        return (f"The token expired on {timezone.localtime(expired):%d/%m/%Y}: make a new one on the API "
                "tokens page")
    return "The token is not valid: it is unknown, was revoked or its user is disabled"
