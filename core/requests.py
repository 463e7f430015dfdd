"""Request types for views behind sign-in, so type checking knows what `request.user` is there.

Django's stubs type `request.user` as `User | AnonymousUser`; behind `@login_required` (and the sign-in
middleware, accounts.middleware) it is always a signed-in `User`, which django-otp's middleware gives an
`is_verified()`. Annotations only: at run time these are plain HttpRequests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.http import HttpRequest

if TYPE_CHECKING:

    class SignedInUser(User):
        """A signed-in user as django_otp.middleware.OTPMiddleware leaves it (a type, never a model)."""

        class Meta:
            abstract = True

        def is_verified(self) -> bool: ...
else:
    SignedInUser = User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind @login_required."""

    user: SignedInUser
