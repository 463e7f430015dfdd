"""Account changes, each audited: passwords, two-factor set-up and reset, unlocking, invitations and their
revocation.

Views and signal receivers call these; nothing else writes devices, lockouts or invitations.
"""

from __future__ import annotations

from base64 import b32encode
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, InvitationQuerySet
from core import audit
from core.cache import count_in_window
from units.access import (
    REGIONAL_ROLES,
    ROLE_ACTIONS,
    Action,
    every_network,
    memberships,
    network_ids_for,
    units_for,
)
from units.models import Membership, Unit

OBJECT = "account"
BACKUP_CODE_COUNT = 10
INVITATION_SALT = "accounts.invitation"
INVITATION_HOURS = 48
UNUSABLE_LINK = {
    Invitation.Status.ACCEPTED: "This invitation has already been used",
    Invitation.Status.EXPIRED: "This invitation has expired",
    Invitation.Status.REVOKED: "This invitation has been revoked by the person who sent it or an administrator",
}


class Event:
    """AuditEvent.action values written by this app (the sign-in log filters on them)."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    IDLE_SIGN_OUT = "idle_sign_out"
    SESSION_EXPIRED = "session_expired"
    LOCKED_OUT = "locked_out"
    UNLOCKED = "unlocked"
    TWO_FACTOR_SET_UP = "two_factor_set_up"
    TWO_FACTOR_VERIFIED = "two_factor_verified"
    TWO_FACTOR_FAILED = "two_factor_failed"
    TWO_FACTOR_RESET = "two_factor_reset"
    INVITED = "invited"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_REVOKED = "invitation_revoked"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"


# Reset requests per hour: few per email address from one network address (nobody needs more), a few more per
# email address from anywhere (so its mailbox is not flooded), and many per network address, because a whole
# trust reaches us from one NHS gateway address (as for the lockout, settings AXES_LOCKOUT_PARAMETERS). The
# network address is the real client's (core.middleware, TRUSTED_PROXY_COUNT), never the proxy's.
RESETS_PER_EMAIL = 3
RESETS_PER_EMAIL_ANY_ADDRESS = 10
RESETS_PER_ADDRESS = 30
RESET_WINDOW_SECONDS = 60 * 60


# --- Two-factor -----------------------------------------------------------------------------------------------

def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up; the same secret across reloads until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret authenticator apps accept for manual entry, in groups of four for reading aloud."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def clean_code(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def confirm_totp_device(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a current code; return fresh backup codes, or None if the code is wrong."""
    if not device.verify_token(clean_code(code)):
        audit.record(actor=device.user, action=Event.TWO_FACTOR_FAILED, object_type=OBJECT,
                     object_id=device.user.get_username(),
                     summary="Wrong code while setting up two-factor authentication")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_backup_codes(device.user)
    audit.record(actor=device.user, action=Event.TWO_FACTOR_SET_UP, object_type=OBJECT,
                 object_id=device.user.get_username(),
                 summary="Two-factor authentication set up", changes={"backup_codes": len(codes)})
    return codes


def record_sign_in(user: User) -> None:
    """A password sign-in through the sign-in page (not force_login or other internal logins)."""
    audit.record(actor=user, action=Event.SIGN_IN, object_type=OBJECT, object_id=user.get_username(),
                 summary=f"{user.get_username()} signed in with a password")


def record_sign_out(user: User, *, idle: bool, lifetime: bool = False) -> None:
    """Signed out by the user, after inactivity (`idle`), or at the session's end of life (`lifetime`)."""
    action, why = ((Event.SESSION_EXPIRED, f" after {settings.SESSION_MAX_HOURS} hours (session lifetime)")
                   if lifetime else (Event.IDLE_SIGN_OUT, " after inactivity") if idle else (Event.SIGN_OUT, ""))
    audit.record(actor=user, action=action, object_type=OBJECT, object_id=user.get_username(),
                 summary=f"{user.get_username()} signed out{why}")


def record_verified(user: User, device: object) -> None:
    audit.record(actor=user, action=Event.TWO_FACTOR_VERIFIED, object_type=OBJECT, object_id=user.get_username(),
                 summary=f"{user.get_username()} passed two-factor ({type(device).__name__})")


def record_failed_code(user: User) -> None:
    audit.record(actor=user, action=Event.TWO_FACTOR_FAILED, object_type=OBJECT, object_id=user.get_username(),
                 summary=f"Wrong two-factor code for {user.get_username()}")


@transaction.atomic
def renew_backup_codes(user: User) -> list[str]:
    codes = new_backup_codes(user)
    audit.record(actor=user, action=Event.TWO_FACTOR_SET_UP, object_type=OBJECT, object_id=user.get_username(),
                 summary="New backup codes made (the old ones no longer work)", changes={"backup_codes": len(codes)})
    return codes


def new_backup_codes(user: User) -> list[str]:
    """Replace the user's one-time backup codes (each is deleted when used: otp_static)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def reset_two_factor(user: User, *, by: User) -> int:
    """Remove every device (authenticator and backup codes); the user sets up again at next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit.record(actor=by, action=Event.TWO_FACTOR_RESET, object_type=OBJECT, object_id=user.get_username(),
                 summary=f"Two-factor authentication reset for {user.get_username()}",
                 changes={"rows_removed": removed})
    return removed


# --- Passwords ------------------------------------------------------------------------------------------------

@transaction.atomic
def set_password(user: User, password: str, *, reset: bool) -> None:
    """Save a new password the form has checked against AUTH_PASSWORD_VALIDATORS. Every other session of the
    user ends at its next request (Django checks the session's password hash); two-factor is untouched."""
    user.set_password(password)
    user.save(update_fields=["password"])
    name = user.get_username()
    # A reset proves the mailbox, and the old password's failed attempts say nothing about the new one: the
    # person locked out at 3 a.m. after forgetting it can sign in at once (two-factor still guards it).
    cleared = axes_reset(username=name) if reset else 0
    audit.record(actor=user, action=Event.PASSWORD_RESET if reset else Event.PASSWORD_CHANGED, object_type=OBJECT,
                 object_id=name, summary=f"{name} " + ("set a new password from an emailed reset link" if reset
                                                       else "changed their password"),
                 changes={"attempts_cleared": cleared} if reset else None)


def record_reset_link_sent(user: User) -> None:
    """Only for a real, active account: requests for unknown addresses leave no row naming the address."""
    audit.record(actor=None, action=Event.PASSWORD_RESET_REQUESTED, object_type=OBJECT,
                 object_id=user.get_username(), summary=f"Password reset link emailed to {user.get_username()}")


def reset_request_allowed(email: str, address: str) -> bool:
    """Count one reset request; False once the network address, the email from that address, or the email
    from anywhere has used its hour's allowance. Checked in that order and a refused request spends nothing
    further, so a visitor past their own allowance uses up nobody else's: one visitor cannot block everyone's
    resets, nor one person's (that takes RESETS_PER_EMAIL_ANY_ADDRESS requests from several addresses).
    Stored as keyed hashes, never as the address itself."""
    account, source = _hashed(email.strip().lower()), _hashed(address)
    return (_spend(f"accounts:reset:address:{source}", RESETS_PER_ADDRESS)
            and _spend(f"accounts:reset:email:{account}:from:{source}", RESETS_PER_EMAIL)
            and _spend(f"accounts:reset:email:{account}", RESETS_PER_EMAIL_ANY_ADDRESS))


def _hashed(value: str) -> str:
    return salted_hmac("accounts.password_reset", value).hexdigest()


def _spend(key: str, limit: int) -> bool:
    return count_in_window(key, RESET_WINDOW_SECONDS) <= limit


# --- Lockout ----------------------------------------------------------------------------------------------------

@transaction.atomic
def unlock(username: str, *, by: User) -> int:
    """Clear the failed sign-ins that lock the username out (django-axes)."""
    cleared = axes_reset(username=username)
    audit.record(actor=by, action=Event.UNLOCKED, object_type=OBJECT, object_id=username,
                 summary=f"Sign-in unlocked for {username}", changes={"attempts_cleared": cleared})
    return cleared


# --- Invitations ------------------------------------------------------------------------------------------------

def invitable_units(user: User) -> QuerySet[Unit]:
    """Units of the inviter's own network(s) for a network-wide role, else their own units (issue 18)."""
    return units_for(user, Action.INVITE).filter(active=True)


def grantable_roles(user: User) -> list[str]:
    """Roles whose actions the inviter holds already: nobody hands out more than they have."""
    held: set[Action] = set()
    for membership in memberships(user):
        held |= ROLE_ACTIONS[membership.role]
    if Action.INVITE not in held:
        return []
    # A regional lead reaches a whole region, more than any inviter's network: granted in the admin only.
    return [role for role, actions in ROLE_ACTIONS.items() if actions <= held and role not in REGIONAL_ROLES]


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


@transaction.atomic
def invite(*, email: str, unit: Unit, role: str, by: User, accept_url: str) -> Invitation:
    """Create the invitation and email its link; `accept_url` turns a token into an absolute URL."""
    if unit not in invitable_units(by):
        raise ValidationError({"unit": "You may only invite people to units you lead"})
    if role not in grantable_roles(by):
        raise ValidationError({"role": "You may only invite people to roles within your own"})
    invitation = Invitation.objects.create(
        email=email.strip().lower(), unit=unit, role=role, invited_by=by,
        expires_at=timezone.now() + timedelta(hours=INVITATION_HOURS),
    )
    link = accept_url.replace("TOKEN", invitation_token(invitation))
    audit.record(actor=by, action=Event.INVITED, object_type="invitation", object_id=invitation.pk,
                 summary=f"Invited {invitation.email} as {invitation.get_role_display()} at {unit.short_name}")
    inviter = by.get_full_name() or by.get_username()
    send_mail(
        subject="You are invited to the neuroprotection pathway tracker",
        message=(f"{inviter} has invited you to join {unit.name} as {invitation.get_role_display()}.\n\n"
                 f"Choose your username and password here within {INVITATION_HOURS} hours:\n{link}\n\n"
                 "The link works once. You will then set up two-factor authentication with an authenticator app."),
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[invitation.email],
    )
    return invitation


def link_invitation(token: str) -> Invitation | None:
    """The invitation a genuine link names, whatever its status; None if the link is forged, mangled or over
    48 hours old. Callers check `Invitation.is_open`: the row, not the link, says whether it was used or revoked."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(hours=INVITATION_HOURS))
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return Invitation.objects.select_related("unit").filter(pk=data.get("i")).first()


def manageable_invitations(user: User) -> InvitationQuerySet:
    """Invitations the user may see and revoke: those to units they may invite people to (the same rule as
    sending one). Administrators see every invitation, including those to units since closed."""
    invitations = Invitation.objects.select_related("unit", "invited_by", "accepted_user", "revoked_by")
    managed = network_ids_for(user, Action.MANAGE_ACCOUNTS)
    if every_network(user, managed):
        return invitations
    if managed:  # an administrator: every invitation to their network(s)' units, closed ones too
        return invitations.filter(unit__network_id__in=managed)
    return invitations.filter(unit__in=invitable_units(user))


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: User) -> Invitation:
    """Make a pending invitation's link unusable at once. The row lock means a revocation and an acceptance
    at the same moment cannot both succeed (accept_invitation takes the same lock)."""
    if not manageable_invitations(by).filter(pk=invitation.pk).exists():
        raise PermissionDenied("You may only revoke invitations to units you may invite people to")
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=invitation.pk)
    if not locked.is_open:
        raise ValidationError(f"This invitation is {locked.status.label.lower()}: only a pending "
                              "invitation can be revoked")
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=by, action=Event.INVITATION_REVOKED, object_type="invitation", object_id=locked.pk,
                 summary=f"Revoked the invitation of {locked.email} as {locked.get_role_display()} "
                         f"at {locked.unit.short_name}",
                 changes=audit.changes({"status": Invitation.Status.PENDING}, {"status": Invitation.Status.REVOKED}))
    return locked


@transaction.atomic
def accept_invitation(invitation: Invitation, *, username: str, password: str, first_name: str,
                      last_name: str) -> User:
    """Create the account and its membership, and spend the invitation, all or nothing."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open:
        raise ValidationError({"__all__": UNUSABLE_LINK[locked.status]})
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken: choose another"})
    user = user_model(username=username, email=locked.email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user)  # length, similarity to the username and name, common and numeric
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, unit=locked.unit, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.accepted_user = user
    locked.save(update_fields=["accepted_at", "accepted_user"])
    audit.record(actor=user, action=Event.INVITATION_ACCEPTED, object_type="invitation", object_id=locked.pk,
                 summary=f"{username} joined {locked.unit.short_name} as {locked.get_role_display()}")
    return user
