"""Test overrides: fast password hashing and inline Celery unless a test opts into the real worker."""

import os

# The suite runs as a development copy (DEBUG=true: test host names, no HTTPS redirect, the development
# secret); subprocesses it starts inherit it. Production settings are tested in a separate process
# (core/tests/test_security.py).
os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
# The suite signs in with force_login and passwords only; accounts/tests turn these back on to prove them.
OTP_REQUIRED = False
AXES_ENABLED = False
# Tests that travel in time (time_machine) with a signed-in client must not meet the idle sign-out.
IDLE_TIMEOUT_MINUTES = 7 * 24 * 60
SESSION_MAX_HOURS = 365 * 24  # likewise the absolute session lifetime (accounts/tests set it back)
# The real-worker tests wait for the delayed drain; keep that wait short.
KPIS_RECOMPUTE_DELAY_SECONDS = 2
# Saves through a view see their figures at once (inline drain); kpis/tests/test_background.py turns the
# after-the-response drain back on to prove it.
KPIS_DRAIN_AFTER_RESPONSE = False
# When a test turns it on, the drain runs in the thread: a child process would not see the test database.
KPIS_BACKGROUND_DRAIN_PROCESS = False
# Each test empties the cache (conftest.py): always the process's own, never a shared Redis database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Drawing the overview chart after every inline KPI task would cost the suite minutes; kpis tests turn it on.
KPIS_WARM_CHARTS = False
