"""A Redis cache that degrades to "no cache" when Redis is unreachable, and a counter kept in the cache.

The cache only ever holds things that can be worked out again (remembered results, rate-limit counters,
the "a recompute is already due" flag), so a Redis outage must cost speed, never a page: each failing call
is logged and answered as a miss. `add` answers True (as if the key was free) so that callers relying on
it as a flag go on and try the real action, which reports its own failure.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class TolerantRedisCache(RedisCache):
    def _failed(self, action: str, exc: RedisError) -> None:
        logger.warning("Cache %s failed, carrying on without the cache: %s", action, exc)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            self._failed("get", exc)
            return default

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            self._failed("set", exc)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            self._failed("add", exc)
            return True

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as exc:
            self._failed("delete", exc)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            self._failed("incr", exc)
            raise ValueError(f"Key {key!r} not found (cache unreachable)") from exc


def count_in_window(key: str, seconds: int) -> int:
    """Add one to a counter that lives `seconds` from its first hit, and return it (rate limits: the family
    feedback form, password reset requests). add() starts the window only once; incr() keeps its expiry."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr(), or the cache is unreachable
        cache.set(key, 1, seconds)
        return 1
