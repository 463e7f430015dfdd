"""Making and revoking API tokens (the token page, the admin and the account services call these), and the
export-log row of every read of case rows through the API. Each is audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import KEY_PREFIX, SHOWN_CHARS, ApiToken, Scope, key_hash
from core import audit
from core.models import AuditEvent
from pathway import csv_io
from reporting.models import ExportRecord
from units.access import UserLike

OBJECT_TYPE = "api.token"
READ_SCOPES = frozenset({Scope.READ_PSEUDONYMISED, Scope.READ_IDENTIFIABLE})


def token_scopes_refusal(user: UserLike, scopes: Iterable[str], reason: str) -> dict[str, str]:
    """Field → why these scopes may not be given to this user's token (empty when they may)."""
    chosen = set(scopes)
    if unknown := chosen - set(Scope.values):
        return {"scopes": f"Unknown scope {', '.join(sorted(unknown))}: choose from {', '.join(Scope.values)}"}
    if len(chosen & READ_SCOPES) != 1:
        return {"scopes": "Choose one kind of read: pseudonymised or identifiable"}
    if Scope.READ_IDENTIFIABLE in chosen:
        # The same rule, wording and reason limit as an identifiable CSV export (pathway.csv_io).
        refusal = csv_io.identifiable_refusal(user, reason)
        if refusal is not None:
            return {"reason" if csv_io.may_export_identifiable(user) else "scopes": refusal}
    return {}


@transaction.atomic
def token_create(*, user: User, name: str, scopes: Iterable[str] = (Scope.READ_PSEUDONYMISED,),
                 reason: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`, and its key: the only time the key exists outside the caller's hands."""
    name, reason, chosen = name.strip(), reason.strip(), sorted(set(scopes))
    errors = token_scopes_refusal(user, chosen, reason)
    if not name:
        errors["name"] = "Enter a name for the token, e.g. what will use it"
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:80], key_hash=key_hash(key), key_start=key[:SHOWN_CHARS], scopes=chosen,
        reason=reason if Scope.READ_IDENTIFIABLE in chosen else "",
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS))
    audit.record(actor=user, action=AuditEvent.Action.CREATE, object_type=OBJECT_TYPE, object_id=token.pk,
                 summary=f"Created API token {token} ({', '.join(chosen)})",
                 changes={"scopes": chosen, "reason": token.reason, "expires_at": audit.display(token.expires_at)})
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, by: UserLike | None, why: str = "") -> ApiToken:
    """Stop a token working at once; revoking a revoked token changes nothing. `by` None: the system did
    (the owner's password changed, say), and `why` says so."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.revoked_by = by if by is not None and by.is_authenticated else None
    locked.revoked_reason = why[:120]
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    owner = "" if by is not None and locked.user_id == getattr(by, "pk", None) else f" of {locked.user}"
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=OBJECT_TYPE, object_id=locked.pk,
                 summary=f"Revoked API token {locked}{owner}" + (f": {why}" if why else ""))
    return locked


def tokens_revoke_for_user(*, user: User, why: str, by: UserLike | None = None) -> int:
    """Revoke every token of `user` still unrevoked (expired ones too: they are dead, but say why)."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token_revoke(token=token, by=by, why=why)
    return len(tokens)


def token_touch(token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute (not a write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def case_read_record(*, by: UserLike, token: ApiToken | None, rows: int, identifiable: bool,
                     what: str, scope: str) -> ExportRecord:
    """Every API response carrying case rows, in the audit trail and the export log: who, which token, how
    many rows, identifiable or not and why (the token's stated reason). `scope`: the request (path and
    filters), which with the user's access says which cases were read."""
    kind = "identifiable" if identifiable else "pseudonymised"
    reason = token.reason if token is not None and identifiable else ""
    via = f"token '{token.name}' ({token.key_start}…)" if token is not None else "a signed-in browser"
    event = audit.record(actor=by, action=AuditEvent.Action.EXPORT, object_type="api.case_read",
                         object_id=token.pk if token is not None else "",
                         summary=f"Read {rows} case{'' if rows == 1 else 's'} through the API ({kind}) with {via}",
                         changes={"rows": rows, "identifiable": identifiable, "reason": reason,
                                  "token": str(token) if token is not None else ""})
    return ExportRecord.objects.create(
        at=event.at, by=event.actor, kind=ExportRecord.Kind.API_CASES, what=f"{what} with {via}"[:255],
        scope=scope[:255], rows=rows, identifiable=identifiable, reason=reason,
        audit_event=event, api_token=token)
