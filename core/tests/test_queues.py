"""Task routing: one queue by default; named queues for exports and nightly runs when the settings say so.

Each case runs Celery's own router in a separate process, because the settings are read once at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

# The KPI tasks serve every producer (HIE, POP, training), which they take as an argument.
TASKS = ["reporting.tasks.run_export_job", "reporting.tasks.send_monthly_report", "kpis.tasks.recompute_all",
         "kpis.tasks.recompute_run", "kpis.tasks.recompute_pending", "training.tasks.send_training_reminders_task"]
PROBE = f"""
import json, django
django.setup()
from config.celery import app
print(json.dumps({{name: app.amqp.router.route({{}}, name).get("queue").name for name in {TASKS!r}}}))
"""


def _queues(**env: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=environment,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("redis", ["", "redis://127.0.0.1:6379/0"])
def test_by_default_every_task_goes_to_the_one_default_queue(redis: str) -> None:
    assert set(_queues(REDIS_URL=redis).values()) == {"celery"}


def test_named_queues_take_exports_and_nightly_runs_and_leave_case_saves_on_the_default() -> None:
    queues = _queues(CELERY_EXPORTS_QUEUE="exports", CELERY_NIGHTLY_QUEUE="nightly")
    assert queues == {
        "reporting.tasks.run_export_job": "exports", "reporting.tasks.send_monthly_report": "exports",
        "kpis.tasks.recompute_all": "nightly", "kpis.tasks.recompute_run": "nightly",
        # what a person is waiting for stays on the default queue, never behind a long job
        "kpis.tasks.recompute_pending": "celery", "training.tasks.send_training_reminders_task": "celery",
    }
