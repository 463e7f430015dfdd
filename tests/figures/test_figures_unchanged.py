"""Every producer's stored figures on the demo data are exactly those the code stored before the KPI engine
was unified (issue 17: one engine for HIE, POP and training coverage).

The demo data (fixed seeds, fixed run date, time frozen) are seeded, each producer runs a full recompute, and
`export_kpis --format csv` is compared, KPI by KPI, byte for byte, with `golden_figures.json`: for each code
the number of rows and the SHA-256 of its CSV lines, written by the code before the change. A KPI code that is
not in the file (a definition added since) is not compared; one that is must be stored, unchanged.

If figures change on purpose (a new definition version, a change to the demo generator), write the file again
from the code as it was before your change, then check the test still passes after it:
`GOLDEN_FIGURES_WRITE=1 .venv/bin/python -m pytest tests/figures -q`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from core.timeutil import LONDON
from training.services import compute_training_kpis

GOLDEN = Path(__file__).with_name("golden_figures.json")
AS_OF = date(2025, 6, 30)
SEED = "2026"


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _seed_and_compute() -> str:
    """The demo data and a full run of each producer as of AS_OF; the stored figures as CSV."""
    as_of = AS_OF.isoformat()
    _command("seed_demo", "--seed", SEED, "--years", "3", "--as-of", as_of)
    _command("seed_pop", "--seed", SEED, "--years", "1", "--as-of", as_of)
    _command("seed_training", "--seed", SEED, "--as-of", as_of)
    _command("seed_live_births", "--seed", SEED)  # the incidence denominator: complete years up to 2024
    _command("compute_kpis", "--as-of", as_of)
    _command("compute_pop_kpis", "--as-of", as_of)
    compute_training_kpis(AS_OF)
    return _command("export_kpis", "--format", "csv")


def _digests(csv_text: str) -> dict[str, dict[str, object]]:
    lines_by_code: dict[str, list[str]] = defaultdict(list)
    header, *lines = csv_text.splitlines(keepends=True)
    assert header.startswith("kpi,level,org,period,")
    for line in lines:
        lines_by_code[line.split(",", 1)[0]].append(line)
    return {code: {"rows": len(rows), "sha256": hashlib.sha256("".join(rows).encode()).hexdigest()}
            for code, rows in sorted(lines_by_code.items())}


@pytest.mark.django_db
def test_a_full_run_of_every_producer_stores_the_figures_it_stored_before() -> None:
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=LONDON), tick=False):
        found = _digests(_seed_and_compute())
    if os.environ.get("GOLDEN_FIGURES_WRITE"):
        GOLDEN.write_text(json.dumps(found, indent=1) + "\n")
    golden = json.loads(GOLDEN.read_text())

    # Every producer contributed: HIE, POP and training coverage.
    assert {"cooling_started_6h", "age_at_cooling_start_min", "pop_optimisation_score",
            "training_coverage_12m"} <= set(golden)
    assert {code: found.get(code) for code in golden} == golden
