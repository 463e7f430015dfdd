"""On the embedded SQLite a KPI recompute never makes a save wait for the whole run (issue 13, `kpis.engine`).

SQLite has one write lock for the whole database. A run written in one transaction held it for a second or
more, and every save in that time waited for it. A run now writes in short transactions of at most
KPIS_WRITE_CHUNK_ROWS rows, each KPI-period and each case whole, and pauses between them.

The first test runs the real thing in a child process on a new SQLite file (the embedded default, WAL,
IMMEDIATE transactions): a recompute in a thread is held between two of its transactions until a temperature
save in the main thread (as a request would make it) has committed. If the run held one transaction, or held
the lock between its transactions, the save could not commit until the run had finished: the save fails
("database is locked") or the run is no longer running when it completes. It also counts the rows and
statements of the run's longest write transaction, and checks that the short-transaction run stores exactly
the rows a one-transaction run stores. Wall-clock speed is measured by `python -m bench.saves`, not here.

The second test checks the same equality on PostgreSQL, where short transactions are off by default.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from kpis import services as kpi_services
from kpis.models import CaseAttribution, CaseOutcome, KpiAggregate, KpiRun
from pathway import services
from pathway.models import Case

ROOT = Path(__file__).resolve().parents[2]
CHUNK_ROWS = 40

SCRIPT = """
import json, threading, time
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import override_settings

from core.testing.factories import cooled_case_values
from core.testing.personas import make_personas
from kpis import background
from kpis import services as kpi_services
from kpis.models import CaseAttribution, CaseOutcome, KpiAggregate, KpiRun
from pathway import services

people = make_personas()
with transaction.atomic():  # one drain for all of them, when this commits
    first = cooled_case_values()["birth_datetime"]
    cases = [services.case_create(values=cooled_case_values(birth=first + timedelta(hours=9 * i)), by=people.nurse)
             for i in range(30)]
keys = [p.key for p in kpi_services.periods_for_case(cases[0])]
codes = list(kpi_services.PRODUCER.versions())
out = {"keys": len(keys)}

# The recompute's write transactions, as its connection runs them: rows written and statements of each.
transactions = []
def count(execute, sql, params, many, context):
    if sql.startswith("BEGIN"):
        transactions.append({"rows": 0, "statements": 0})
    elif transactions and sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE")):
        # Writes only: the reads a run makes between its transactions (the organisation tree, say) hold no lock.
        transactions[-1]["statements"] += 1
        transactions[-1]["rows"] += len(params) if many else 0
    return execute(sql, params, many, context)

paused, saved = threading.Event(), threading.Event()
real_between, calls = background.between_writes, []
def between():
    calls.append(1)
    if len(calls) == 3:  # part-way: some transactions committed, more to come
        paused.set()
        saved.wait(60)
    real_between()
background.between_writes = between

def recompute():
    try:
        with connection.execute_wrapper(count):
            out["run"] = kpi_services.compute(periods=keys).status
    except Exception as exc:
        out["run"] = repr(exc)
    finally:
        connection.close()

thread = threading.Thread(target=recompute)
thread.start()
out["paused"] = paused.wait(120)
background.request_started()  # the save is served as a request: its own drain goes to the background thread
started = time.monotonic()
try:
    services.temperature_add(case=cases[3], observed_at=cases[3].birth_datetime + timedelta(hours=30),
                             temp_c=Decimal("33.5"), site="rectal", by=people.nurse)
    out["save"] = "committed"
except Exception as exc:
    out["save"] = repr(exc)
out["save_seconds"] = round(time.monotonic() - started, 3)
background.request_finished()
out["run_still_running"] = thread.is_alive() and KpiRun.objects.filter(status="running").exists()
saved.set()
thread.join(120)
out["drained"] = background.wait_idle(120)
out["transactions"] = len(transactions)
out["most_rows"] = max((t["rows"] for t in transactions), default=0)
out["most_statements"] = max((t["statements"] for t in transactions), default=0)

def stored():
    return [
        sorted(KpiAggregate.objects.filter(kpi__in=codes, period_key__in=keys).values_list(
            "kpi", "level", "org_code", "period_key", "numerator", "denominator", "not_eligible", "missing",
            "rate", "n", "median", "q1", "q3")),
        sorted(CaseOutcome.objects.values_list("case_id", "kpi", "outcome", "value")),
        sorted(CaseAttribution.objects.values_list("case_id", "born", "birth_unit_code", "cooling_centre_code")),
    ]

# A case leaves the figures (its rows must go), recomputed in short transactions by its drain, inline here.
services.case_mark_entered_in_error(case=cases[5], reason="Test", expected_version=None, by=people.nurse)
short = stored()
with override_settings(KPIS_SHORT_WRITE_TRANSACTIONS=False):
    kpi_services.compute(periods=keys)
one = stored()
out["same_rows"] = short == one
out["rows"] = [len(table) for table in one]
out["outcomes_of_the_removed_case"] = CaseOutcome.objects.filter(case=cases[5]).count()
print("RESULT " + json.dumps(out))
"""


def _manage(*args: str, database: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings",
               KPIS_WRITE_CHUNK_ROWS=str(CHUNK_ROWS), KPIS_BACKGROUND_DRAIN_DELAY_SECONDS="0.2",
               KPIS_WARM_CHARTS="false")
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_save_on_sqlite_commits_while_a_recompute_is_still_writing(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    _manage("migrate", "--no-input", "-v0", database=database)
    _manage("load_units", database=database)
    printed = _manage("shell", "-c", SCRIPT, database=database)
    result: dict[str, Any] = json.loads(printed.split("RESULT ", 1)[1])

    assert result["paused"], result  # the run reached a moment between two of its transactions
    assert result["save"] == "committed", result
    assert result["run_still_running"], result  # ... and the save committed before the run finished
    assert result["run"] == "succeeded", result
    assert result["drained"], result
    # Many short transactions, none bigger than the chunk (a KPI-period or a case is a few dozen rows at most).
    assert result["transactions"] >= 5, result
    assert 0 < result["most_rows"] <= CHUNK_ROWS, result
    assert result["most_statements"] <= 4, result  # DELETE (in batches of 500 keys) and one INSERT
    # The same rows as one transaction writes, including a case that left the figures.
    assert result["same_rows"], result
    assert result["rows"][0] > 0 and result["rows"][1] > 0, result
    assert result["outcomes_of_the_removed_case"] == 0, result


@pytest.mark.django_db(transaction=True)
def test_short_transactions_store_the_same_rows_on_postgresql(people: Personas) -> None:
    cases = [services.case_create(values=cooled_case_values(), by=people.nurse) for _ in range(4)]
    keys = [p.key for p in kpi_services.periods_for_case(cases[0])]
    codes = list(kpi_services.PRODUCER.versions())

    def stored() -> list[list[Any]]:
        return [
            sorted(KpiAggregate.objects.filter(kpi__in=codes, period_key__in=keys).values_list(
                "kpi", "level", "org_code", "period_key", "numerator", "denominator", "missing", "rate", "median")),
            sorted(CaseOutcome.objects.values_list("case_id", "kpi", "outcome", "value")),
            sorted(CaseAttribution.objects.values_list("case_id", "born", "birth_unit_code")),
        ]

    Case.objects.filter(pk=cases[1].pk).update(entered_in_error=True)  # its rows must go in both modes
    with override_settings(KPIS_SHORT_WRITE_TRANSACTIONS=True, KPIS_WRITE_CHUNK_ROWS=25):
        short_run = kpi_services.compute(periods=keys)
    short = stored()
    one_run = kpi_services.compute(periods=keys)

    assert short_run.status == one_run.status == KpiRun.Status.SUCCEEDED
    assert short_run.rows_written == one_run.rows_written > 0
    assert short == stored()
    assert not CaseOutcome.objects.filter(case=cases[1]).exists()
    assert KpiAggregate.objects.filter(run=one_run, kpi__in=codes).count() == one_run.rows_written
