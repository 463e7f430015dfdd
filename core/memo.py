"""Results that are costly to work out and change only when their inputs' version does.

`remember(name, version, compute)` keeps `compute()`'s result in the Django cache under the name and the
version, so a page served many times between two KPI runs works it out once per process (the default cache
is per process; a shared one, e.g. Redis, makes it once per deployment). The version must change whenever
the inputs do: for figures, `kpis.dashboard.figures_version`. `by_arguments` does the same for a pure
function (a chart drawn from its figures), keyed by its arguments' repr: the same figures are drawn once,
whichever process asks.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

from django.core.cache import cache

T = TypeVar("T")
P = ParamSpec("P")
_MISSING: Final = object()
TIMEOUT_SECONDS: Final = 60 * 60  # a version is rarely reused after an hour; let the cache forget it


def remember(name: str, version: str, compute: Callable[[], T]) -> T:
    key = f"memo:{name}:{version}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def replace(name: str, version: str, value: T) -> T:
    """Keep `value` as `remember(name, version, …)`'s result (a job that has just worked it out, so the next
    page finds it ready)."""
    cache.set(f"memo:{name}:{version}", value, TIMEOUT_SECONDS)
    return value


def by_arguments(name: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Remember a pure function's results by its arguments. Their repr must be deterministic and complete
    (frozen dataclasses, numbers, strings): two calls with equal reprs must want the same result."""
    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(function)
        def remembered(*args: P.args, **kwargs: P.kwargs) -> T:
            digest = hashlib.blake2b(repr((args, sorted(kwargs.items()))).encode(), digest_size=16).hexdigest()
            return remember(name, digest, lambda: function(*args, **kwargs))
        return remembered
    return decorate
