"""`python manage.py compute_pop_kpis [--period P ...] [--as-of YYYY-MM-DD]`: recompute the POP figures now."""

from __future__ import annotations

from datetime import date

from kpis.commands import ComputeCommand
from kpis.models import KpiRun
from pop.services import compute_pop_kpis


class Command(ComputeCommand):
    help = ("Recompute the POP KPI figures (kpis.md \"POP (preterm optimisation) KPIs\" and the optimisation "
            "score) and store them, as the nightly task does. Without --period every period is recomputed; "
            "with --period only those (2024, 2024-Q3, 2024-07, R12-2024-07). Only POP figures are replaced.")
    as_of_help = "Run date: the last rolling window ends on it (default: today)"
    run_label = "POP KPI run"
    counted = "record"

    def compute(self, *, periods: list[str] | None, as_of: date | None) -> KpiRun:
        return compute_pop_kpis(as_of=as_of, periods=periods, trigger=KpiRun.Trigger.MANUAL)
