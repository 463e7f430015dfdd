"""Making and revoking API tokens (the token page and the admin both call these); each is audited."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import KEY_PREFIX, SHOWN_CHARS, ApiToken, key_hash
from core import audit
from core.models import AuditEvent
from units.access import UserLike

OBJECT_TYPE = "api.token"


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`, and its key: the only time the key exists outside the caller's hands."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Enter a name for the token, e.g. what will use it"]})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], key_hash=key_hash(key), key_start=key[:SHOWN_CHARS])
    audit.record(actor=user, action=AuditEvent.Action.CREATE, object_type=OBJECT_TYPE, object_id=token.pk,
                 summary=f"Created API token {token}")
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, by: UserLike) -> ApiToken:
    """Stop a token working at once; revoking a revoked token changes nothing."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not locked.is_active:
        return locked
    locked.revoked_at = timezone.now()
    locked.revoked_by = by if by.is_authenticated else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    owner = "" if locked.user_id == getattr(by, "pk", None) else f" of {locked.user}"
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, object_type=OBJECT_TYPE, object_id=locked.pk,
                 summary=f"Revoked API token {locked}{owner}")
    return locked


def token_touch(token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute (not a write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
