"""Personal API tokens: only a hash of each key is stored, so a leaked database gives no working key.

A key is shown once, when it is made. A token carries scopes chosen then (what it may read, whether it may
write) and expires (API_TOKEN_DAYS). Revoking keeps the row (who revoked it, when, why) for the record.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

KEY_PREFIX = "pwt_"  # recognisable in logs and secret scanners
SHOWN_CHARS = 10  # the start of a key kept in clear, so its owner can tell their tokens apart


def key_hash(key: str) -> str:
    # A random 256-bit key needs no slow hash (no dictionary to guess from); SHA-256 keeps lookups indexed.
    return hashlib.sha256(key.encode()).hexdigest()


class Scope(models.TextChoices):
    """What a token may do. Every token reads; real case references and NHS numbers need READ_IDENTIFIABLE."""

    READ_PSEUDONYMISED = "read:pseudonymised", "Read cases, pseudonymised as in the CSV export"
    READ_IDENTIFIABLE = "read:identifiable", "Read cases with case references and NHS numbers"
    WRITE = "write", "Add and change cases"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_key(self, key: str) -> ApiToken | None:
        """The live token of an active user for this key, or None (unknown, revoked, expired, user disabled)."""
        return (self.active().filter(key_hash=key_hash(key), user__is_active=True)
                .select_related("user").first())


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What uses the token, e.g. the unit's EPR extract")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_start = models.CharField(max_length=SHOWN_CHARS, editable=False)
    scopes = ArrayField(models.CharField(max_length=20, choices=Scope.choices),
                        default=list, help_text="Chosen when the token is made; never widened afterwards")
    reason = models.TextField(blank=True, help_text="Why identifiable reads are needed (read:identifiable)")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoked_reason = models.CharField(max_length=120, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_start}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        return [Scope(scope).label for scope in self.scopes if scope in Scope.values]
