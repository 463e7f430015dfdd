"""core.memo (remembered results) and core.cache (a Redis cache that fails to a miss), on real Redis.

The Redis tests use their own key prefix on the Redis at REDIS_URL (skipped, with the reason, without it),
and the outage tests point the same backend at a loopback port nothing listens on.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
import redis

from core import memo
from core.cache import TolerantRedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cache(location: str) -> TolerantRedisCache:
    return TolerantRedisCache(location, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                                         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}})


@pytest.fixture
def shared() -> Iterator[TolerantRedisCache]:
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set: the shared-cache tests need a real Redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    cache = _cache(REDIS_URL)
    yield cache
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}*"))
    if keys:
        client.delete(*keys)


def test_redis_cache_round_trip_add_and_incr(shared: TolerantRedisCache) -> None:
    shared.set("figures", {"rate": 0.91}, 60)
    assert shared.get("figures") == {"rate": 0.91}
    assert shared.add("flag", 1, 60) is True
    assert shared.add("flag", 1, 60) is False  # already set: the caller does not send a second drain
    assert shared.incr("flag") == 2


def test_an_unreachable_redis_is_a_miss_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    down = _cache(f"redis://127.0.0.1:{_closed_port()}/0")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert down.get("figures", "default") == "default"
        down.set("figures", 1, 60)
        assert down.add("flag", 1, 60) is True  # go on and try the real action
        assert down.delete("flag") is False
        with pytest.raises(ValueError):
            down.incr("flag")  # what a missing key does: families.feedback starts a new window
    assert caplog.text.count("carrying on without the cache") == 5


def test_remember_works_out_once_per_version() -> None:
    calls: list[str] = []

    def work() -> str:
        calls.append("worked")
        return f"result {len(calls)}"

    assert memo.remember("thing", "v1", work) == "result 1"
    assert memo.remember("thing", "v1", work) == "result 1"
    assert memo.remember("thing", "v2", work) == "result 2"
    assert memo.remember("other", "v2", work) == "result 3"  # names do not share results
    assert len(calls) == 3


def test_by_arguments_draws_the_same_inputs_once() -> None:
    calls: list[tuple[int, str]] = []

    @memo.by_arguments("test.square")
    def square(value: int, *, label: str = "") -> str:
        calls.append((value, label))
        return f"{label}{value * value}"

    assert [square(3), square(3), square(4), square(3, label="n="), square(3, label="n=")] == \
        ["9", "9", "16", "n=9", "n=9"]
    assert calls == [(3, ""), (4, ""), (3, "n=")]


def test_count_in_window_counts_hits_and_starts_again_when_the_window_ends() -> None:
    import time_machine
    from django.utils import timezone

    from core.cache import count_in_window

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert [count_in_window("test:hits", 60) for _ in range(3)] == [1, 2, 3]
        traveller.shift(59)
        assert count_in_window("test:hits", 60) == 4  # a hit does not extend the window
        traveller.shift(2)
        assert count_in_window("test:hits", 60) == 1
