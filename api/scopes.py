"""What the request's token lets it do: read identifiable or pseudonymised case rows, and write.

A token reads identifiable rows only while it holds `read:identifiable` *and* its user may still export
identifiable data (csv_io.may_export_identifiable): a role taken away narrows every token at once. A
signed-in browser session (the browsable API and the docs) reads pseudonymised rows and writes as on the
screens (DRF checks its CSRF token).
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import ApiToken, Scope
from pathway import csv_io


def token_of(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def reads_identifiable(request: Request) -> bool:
    token = token_of(request)
    return (token is not None and token.has_scope(Scope.READ_IDENTIFIABLE)
            and csv_io.may_export_identifiable(request.user))


def pseudonymiser(request: Request) -> csv_io.Pseudonymiser | None:
    """The CSV export's pseudonymiser for this request, or None when it may read identifiable rows.

    Keyed per token, so a program syncing with one token sees the same pseudonym for a case every time (as
    within one CSV file); never linkable across tokens, nor reversible without the server's secret key.
    """
    if reads_identifiable(request):
        return None
    token = token_of(request)
    return csv_io.Pseudonymiser(pseudonym_key(token) if token is not None else None)


def pseudonym_key(token: ApiToken) -> bytes:
    return salted_hmac("api.pseudonym", token.key_hash).digest()


class TokenScopes(BasePermission):
    """Writes (any method but GET, HEAD, OPTIONS) need a token with the `write` scope."""

    message = "This token may only read: make a token with the write scope to add or change cases"
    code = "scope"

    def has_permission(self, request: Request, view: Any) -> bool:
        token = token_of(request)
        return token is None or request.method in SAFE_METHODS or token.has_scope(Scope.WRITE)
