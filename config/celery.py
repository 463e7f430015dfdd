"""Celery application. With no REDIS_URL the settings make every task run inline (eager)."""

import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pathway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def keep_django_logging(**_: Any) -> None:
    """Workers log through Django's LOGGING, whose every handler redacts NHS numbers (core.security).

    Without a receiver for this signal Celery configures logging itself: it replaces the root logger's
    handlers and level, so task errors would be logged unredacted (and, in tests, later log records lost).
    """
