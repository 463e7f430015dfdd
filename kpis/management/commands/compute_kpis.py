"""`python manage.py compute_kpis [--period P ...] [--as-of YYYY-MM-DD]`: recompute the stored KPIs now."""

from __future__ import annotations

from datetime import date

from kpis.commands import ComputeCommand
from kpis.models import KpiRun
from kpis.services import compute


class Command(ComputeCommand):
    help = (
        "Recompute the KPI figures (kpis.md) and store them, as the nightly task does. Without --period every "
        "period is recomputed and every stored figure replaced; with --period only those periods are. "
        "Period keys: 2024 (year), 2024-Q3 (quarter), 2024-07 (month), R12-2024-07 (12 months ending July "
        "2024). Prints the run id, the number of figures written and the time taken. A failure is recorded "
        "on the run and the command exits with an error."
    )
    as_of_help = "Run date for date-dependent rules and the last rolling window (default: today)"

    def compute(self, *, periods: list[str] | None, as_of: date | None) -> KpiRun:
        return compute(periods=periods, as_of=as_of, trigger=KpiRun.Trigger.MANUAL)
