"""Results that are costly to work out and change only when their inputs' version does.

`remember(name, version, compute)` keeps `compute()`'s result in the Django cache under the name and the
version, so a page served many times between two KPI runs works it out once per process (the default cache
is per process; a shared one, e.g. Redis, makes it once per deployment). The version must change whenever
the inputs do: for figures, `kpis.dashboard.figures_version`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from django.core.cache import cache

T = TypeVar("T")
_MISSING: Final = object()
TIMEOUT_SECONDS: Final = 60 * 60  # a version is rarely reused after an hour; let the cache forget it


def remember(name: str, version: str, compute: Callable[[], T]) -> T:
    key = f"memo:{name}:{version}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value  # type: ignore[return-value]
