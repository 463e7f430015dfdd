"""The benchmark's own PostgreSQL database, made ready before Django starts.

The bench drops and recreates a whole database, so it refuses any database whose name does not contain
"bench": a mistyped --database-url must never wipe development or test data.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pathway_bench"
SETTINGS_MODULE = "config.settings"


def database_name(url: str) -> str:
    name = conninfo_to_dict(url).get("dbname") or ""
    if "bench" not in str(name):
        raise SystemExit(f"Refusing to use database {name!r}: the bench database's name must contain 'bench'.")
    return str(name)


def prepare(url: str, *, keep: bool) -> str:
    """Create the database (dropping it first unless `keep`); returns what was done, for the report."""
    name = database_name(url)
    admin = make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and keep:
            return f"kept existing database {name}"
        if exists:
            # FORCE ends sessions left open by an interrupted earlier run (PostgreSQL 13+).
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{'recreated' if exists else 'created'} database {name}"


def start_django(url: str) -> None:
    """Point Django at the bench database and start it.

    REDIS_URL is set empty rather than removed: settings read `.env` without overwriting the process
    environment, so an empty value also wins over a REDIS_URL in `.env`. Empty means Celery runs tasks
    inline (eager), so nothing the bench saves is sent to a real broker or picked up by a real worker.
    OTP_REQUIRED is set false the same way.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = ""
    # As in the test suite and `make run`: the dashboards are measured, not the two-factor set-up page that
    # a network lead without a device would be sent to (HTTP 302).
    os.environ["OTP_REQUIRED"] = "false"
    os.environ.setdefault("DEBUG", "true")  # a local copy, as `make run` (DEBUG is off by default)
    import django
    from django.conf import settings

    django.setup()
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("Celery is not eager inside the bench: REDIS_URL leaked into the settings.")
    if settings.DATABASES["default"]["NAME"] != database_name(url):
        raise SystemExit(f"Django is not using the bench database: {settings.DATABASES['default']['NAME']!r}")
