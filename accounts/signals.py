"""Failed sign-ins and lockouts go to the audit trail, where the sign-in log reads them.

Successful sign-ins and sign-outs are recorded by the sign-in and sign-out views and the idle middleware
(accounts.services.record_sign_in/record_sign_out), not on Django's user_logged_in signal, which every
`force_login` in the test suite also fires.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import stamp_sign_in
from accounts.services import OBJECT, Event
from core import audit


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
