"""The embedded default (no DATABASE_URL: SQLite) migrates from nothing and keeps list columns.

`make run` on a fresh machine uses SQLite; PostgreSQL-only column types once stopped its first `migrate`.
This runs the real commands in a child process against a new SQLite file, then saves and reads back the
two list columns (MRI sequences on a case, an API token's scopes) through the services.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ROUND_TRIP = """
from datetime import timedelta

from api import services as tokens
from api.models import ApiToken, Scope
from core.testing.factories import cooled_case_values
from core.testing.personas import make_personas
from pathway import services
from pathway.models import Case

people = make_personas()
birth = cooled_case_values()["birth_datetime"]
case = services.case_create(values=cooled_case_values(case_ref="SQLITE-1", mri_performed="yes",
                                                       mri_datetime=birth + timedelta(days=7),
                                                       mri_sequences=["dwi", "t1"]),
                            by=people.nurse)
print("sequences", Case.objects.get(pk=case.pk).mri_sequences)
token, _ = tokens.token_create(user=people.nurse, name="sqlite", scopes=[Scope.WRITE, Scope.READ_PSEUDONYMISED])
print("scopes", ApiToken.objects.get(pk=token.pk).scopes)
"""


def _manage(*args: str, database: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_new_sqlite_database_migrates_and_keeps_list_columns(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    _manage("migrate", "--no-input", "-v0", database=database)
    _manage("load_units", database=database)
    out = _manage("shell", "-c", ROUND_TRIP, database=database)
    assert "sequences ['t1', 'dwi']" in out or "sequences ['dwi', 't1']" in out, out
    assert "scopes ['read:pseudonymised', 'write']" in out, out
