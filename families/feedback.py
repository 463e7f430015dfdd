"""Keeping the anonymous feedback form usable by families and useless to spam robots.

- Rate limit: at most FAMILIES_FEEDBACK_PER_HOUR submissions per visitor per hour, counted in the
  Django cache under a salted hash of the IP address (the address itself is never stored anywhere).
- Honeypot: a field hidden from people (display: none) that robots fill in.
- Minimum fill time: the form carries a signed time stamp; one sent back within
  FAMILIES_FEEDBACK_MIN_SECONDS was not typed by a person.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from core.cache import count_in_window

_SALT = "families.feedback"
WINDOW_SECONDS = 60 * 60


def visitor_hash(request: HttpRequest) -> str:
    """A salted hash of the client address: enough to count, useless to identify anyone."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{_SALT}:{address}".encode()).hexdigest()


def _key(visitor: str) -> str:
    return f"families:feedback:{visitor}"


def over_limit(visitor: str) -> bool:
    return int(cache.get(_key(visitor), 0)) >= settings.FAMILIES_FEEDBACK_PER_HOUR


def count_submission(visitor: str) -> None:
    count_in_window(_key(visitor), WINDOW_SECONDS)


def started_token() -> str:
    return signing.dumps(time.time(), salt=_SALT)


def seconds_since(token: str) -> float | None:
    """Seconds since the form was shown, or None for a missing, forged or day-old token."""
    try:
        started = float(signing.loads(token, salt=_SALT, max_age=24 * 60 * 60))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return time.time() - started
