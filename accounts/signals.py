"""Failed sign-ins and lockouts go to the audit trail, where the sign-in log reads them; a changed
credential revokes the user's API tokens.

Successful sign-ins and sign-outs are recorded by the sign-in and sign-out views and the idle middleware
(accounts.services.record_sign_in/record_sign_out), not on Django's user_logged_in signal, which every
`force_login` in the test suite also fires.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import stamp_sign_in
from accounts.services import OBJECT, Event
from api.services import tokens_revoke_for_user
from core import audit

User = get_user_model()


@receiver(user_logged_in)
def _start_idle_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    stamp_sign_in(request)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:64]  # Django has already masked the password
    audit.record(actor=None, action=Event.SIGN_IN_FAILED, object_type=OBJECT, object_id=username,
                 summary=f"Failed sign-in for username '{username}'")


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest | None, username: str | None = None, ip_address: str = "",
                **kwargs: Any) -> None:
    audit.record(actor=None, action=Event.LOCKED_OUT, object_type=OBJECT, object_id=(username or "")[:64],
                 summary=f"Username '{username}' locked out after repeated failed sign-ins",
                 changes={"ip_address": ip_address})


# --- API tokens die with the credentials behind them ---------------------------------------------------------
# On the model's save and delete rather than in accounts.services alone: a password is also set in the admin
# and by `manage.py changepassword`, an account closed in the admin, a device deleted there. Each must revoke.


@receiver(pre_save, sender=User)
def _note_credentials(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        instance._credentials_before = None  # a sign-in's last_login save: nothing to compare, no query
        return
    instance._credentials_before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    # Django re-hashes a password at sign-in when its hasher's settings change, saving only "password" with
    # no new password set (AbstractBaseUser.check_password): the same password, so tokens stay.
    instance._credentials_rehash = (update_fields is not None and set(update_fields) == {"password"}
                                    and getattr(instance, "_password", None) is None)


@receiver(post_save, sender=User)
def _revoke_tokens_on_new_credentials(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_credentials_before", None)
    if created or before is None:
        return
    if before["is_active"] and not instance.is_active:
        tokens_revoke_for_user(user=instance, why="the account was deactivated")
    elif before["password"] != instance.password and not getattr(instance, "_credentials_rehash", False):
        tokens_revoke_for_user(user=instance, why="the password was changed or reset")


@receiver(post_delete, sender=TOTPDevice)
def _revoke_tokens_on_two_factor_reset(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.confirmed:  # an abandoned set-up protected nothing
        tokens_revoke_for_user(user=instance.user, why="two-factor authentication was reset")
