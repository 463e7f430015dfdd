"""Invitations: a unit lead asks someone by email to join a unit in a role; the link is signed, expires,
works once and can be revoked before it is used (accounts.services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from units.models import Role, Unit


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        return self.with_status(Invitation.Status.PENDING)

    def with_status(self, status: str) -> InvitationQuerySet:
        """The same four states as `Invitation.status`, as a filter (acceptance wins, then revocation)."""
        now, states = timezone.now(), Invitation.Status
        unused = self.filter(accepted_at__isnull=True)
        return {
            states.PENDING: unused.filter(revoked_at__isnull=True, expires_at__gt=now),
            states.ACCEPTED: self.filter(accepted_at__isnull=False),
            states.EXPIRED: unused.filter(revoked_at__isnull=True, expires_at__lte=now),
            states.REVOKED: unused.filter(revoked_at__isnull=False),
        }[states(status)]


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    email = models.EmailField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A used link cannot be revoked and a revoked one cannot be used (accounts.services locks the row).
            models.CheckConstraint(condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                                   name="invitation_not_accepted_and_revoked"),
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()} at {self.unit.short_name}"

    @property
    def status(self) -> Invitation.Status:
        if self.accepted_at is not None:
            return Invitation.Status.ACCEPTED
        if self.revoked_at is not None:
            return Invitation.Status.REVOKED
        if self.expires_at <= timezone.now():
            return Invitation.Status.EXPIRED
        return Invitation.Status.PENDING

    @property
    def is_open(self) -> bool:
        return self.status == Invitation.Status.PENDING
