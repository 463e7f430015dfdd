"""Signals other apps listen to, so kpis never imports them (kpis/tests/test_dependencies.py)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by the Celery tasks after a producer's run succeeded (`kpis.tasks`), in the worker that ran it, with
# `producer` (its name) and `run` (the KpiRun): the board reports draw their drafts' charts ahead on it.
figures_changed = Signal()
