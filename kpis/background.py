"""The embedded set-up's drain, after the response: no KPI recompute ever runs inside a request (issue 13).

With Redis a save's drain is a Celery task sent to run KPIS_RECOMPUTE_DELAY_SECONDS later, in a worker. Without
Redis (the README's `make run`) Celery runs tasks inline, which put the whole recompute inside the request that
saved: 3.5–5.7 s a save. So a drain asked for while a request is being served goes to this process's
background thread instead: it runs KPIS_BACKGROUND_DRAIN_DELAY_SECONDS later (saves in a burst share one run),
on its own database connection, and the figures are fresh a few seconds after the save. It starts at a quiet
moment (no request served for KPIS_BACKGROUND_QUIET_SECONDS), so that its writes do not hold up the next save
(SQLite has one writer at a time), but never later than KPIS_BACKGROUND_DRAIN_MAX_WAIT_SECONDS after it was
asked for: figures stay fresh within 15 s even while someone keeps saving.

Outside a request (management commands such as `seed_demo`, Celery tasks, the test suite's service calls) the
drain still runs inline as the transaction commits: a command may exit before a background thread would run.
`KPIS_BACKGROUND_DRAIN_PROCESS=true` runs the drain in a child process (`manage.py drain_kpis`) instead of the
thread, so its Python work does not compete with this process's requests for the interpreter lock; measured
on the shared 2-core machine it made saves slower (the child's start-up, and its hold on SQLite's write lock
while the busy machine runs other work), so the thread is the default. `KPIS_DRAIN_AFTER_RESPONSE=false` turns the
background drain off (the test settings do, so tests that save
through a view see their figures at once; the tests of this module turn it back on).

Whether a request is being served is set by Django's request_started / request_finished signals for the thread
serving it (`kpis.apps`). A drain that fails is logged; its period keys stay pending (`kpis.pending.take` only
removes them in the run's own transaction), so the next drain or beat's 5-minute drain picks them up.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_serving = threading.local()
_lock = threading.Condition()
_due: dict[str, threading.Timer] = {}  # producer → its timer, until the drain starts
_running = 0
# Requests being served by this process, and when the last one ended (time.monotonic): "a quiet moment".
_traffic = {"in_flight": 0, "last_end": 0.0}


def request_started(**_: Any) -> None:
    _serving.active = True
    with _lock:
        _traffic["in_flight"] += 1


def request_finished(**_: Any) -> None:
    if not getattr(_serving, "active", False):
        return  # a request_finished without its start (Django sends it for streamed responses too)
    _serving.active = False
    with _lock:
        _traffic["in_flight"] = max(0, _traffic["in_flight"] - 1)
        _traffic["last_end"] = time.monotonic()


def in_request() -> bool:
    """True in a thread serving an HTTP request (between request_started and request_finished)."""
    return bool(getattr(_serving, "active", False))


def enabled() -> bool:
    return bool(getattr(settings, "KPIS_DRAIN_AFTER_RESPONSE", True)) and in_request()


def drain_later(producer: str, *, triggered_by_id: int | None) -> None:
    """Run the producer's drain in the background after the delay, unless one is already due."""
    delay = float(getattr(settings, "KPIS_BACKGROUND_DRAIN_DELAY_SECONDS", 2))
    with _lock:
        if producer in _due:
            return  # that drain has not started: it will take these keys too
        asked = time.monotonic()
        timer = threading.Timer(delay, _drain, args=(producer, triggered_by_id, asked))
        timer.daemon = True
        timer.name = f"kpis-drain-{producer}"
        _due[producer] = timer
        timer.start()


def _wait_for_quiet(asked: float) -> None:
    """Until no request has been served for the quiet interval, or the longest wait since `asked` is over."""
    quiet = float(getattr(settings, "KPIS_BACKGROUND_QUIET_SECONDS", 1))
    latest = asked + float(getattr(settings, "KPIS_BACKGROUND_DRAIN_MAX_WAIT_SECONDS", 10))
    while time.monotonic() < latest:
        with _lock:
            idle = _traffic["in_flight"] == 0 and time.monotonic() - _traffic["last_end"] >= quiet
        if idle:
            return
        time.sleep(0.05)


def _drain(producer: str, triggered_by_id: int | None, asked: float) -> None:
    global _running
    from kpis.tasks import recompute_pending  # the tasks import the engine, which imports kpis.pending

    _wait_for_quiet(asked)
    with _lock:
        # Removed before the run starts: a save committed during the run schedules the next drain.
        _due.pop(producer, None)
        _running += 1
    try:
        if getattr(settings, "KPIS_BACKGROUND_DRAIN_PROCESS", False):
            _drain_in_a_process(producer, triggered_by_id)
        else:
            recompute_pending(producer=producer, triggered_by_id=triggered_by_id)
    except Exception:
        logger.exception("Background %s KPI drain failed; its periods stay pending for the next drain", producer)
    finally:
        connections.close_all()  # this thread's connections; the thread ends here
        with _lock:
            _running -= 1
            _lock.notify_all()


def _drain_in_a_process(producer: str, triggered_by_id: int | None) -> None:
    """`manage.py drain_kpis` in a child process: the recompute's Python work never competes with the requests
    of this process for its interpreter lock. The child has this process's environment and settings."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "drain_kpis", producer]
    if triggered_by_id is not None:
        command += ["--triggered-by", str(triggered_by_id)]
    done = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"drain_kpis {producer} exited {done.returncode}: {done.stderr[-2000:]}")


def between_writes() -> None:
    """Called by a run written in short transactions after each of them commits (`kpis.figures.ShortWrites`).

    SQLite does not queue writers: a save waiting for the write lock retries on a timer, and a run that began
    its next transaction at once could keep beating it. So the run pauses a moment after each commit, longer
    (up to KPIS_BACKGROUND_YIELD_SECONDS) while this process is serving a request: that save goes first. A run
    inside a request (an inline drain) does not wait for itself.
    """
    time.sleep(0.005)  # a save in another process: SQLite's busy handler first retries after 1, 2, 5 ms
    if in_request():
        return
    latest = time.monotonic() + float(getattr(settings, "KPIS_BACKGROUND_YIELD_SECONDS", 0.3))
    while time.monotonic() < latest:
        with _lock:
            if _traffic["in_flight"] == 0:
                return
        time.sleep(0.005)


def wait_idle(timeout: float) -> bool:
    """Wait until no drain is due or running (tests and `bench.saves`); False if still busy after `timeout`."""
    with _lock:
        return _lock.wait_for(lambda: not _due and _running == 0, timeout=timeout)
