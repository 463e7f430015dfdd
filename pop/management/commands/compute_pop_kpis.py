"""`python manage.py compute_pop_kpis [--period P ...] [--as-of YYYY-MM-DD]`: recompute the POP figures now."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpis.models import KpiRun
from kpis.periods import parse_period_key
from pop.services import compute_pop_kpis


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = ("Recompute the POP KPI figures (kpis.md \"POP (preterm optimisation) KPIs\" and the optimisation "
            "score) and store them, as the nightly task does. Without --period every period is recomputed; "
            "with --period only those (2024, 2024-Q3, 2024-07, R12-2024-07). Only POP figures are replaced.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", action="append", dest="periods", metavar="P",
                            help="A period key to recompute; repeat for several (default: every period)")
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                            help="Run date: the last rolling window ends on it (default: today)")

    def handle(self, *args: object, **options: Any) -> None:
        periods: list[str] | None = options["periods"]
        for key in periods or []:
            try:
                parse_period_key(key)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        run = compute_pop_kpis(as_of=_as_of(options["as_of"]), periods=periods, trigger=KpiRun.Trigger.MANUAL)
        scope = "every period" if periods is None else ", ".join(run.period_keys)
        self.stdout.write(f"POP KPI run {run.pk} {run.status}: {run.rows_written} rows for {scope} as of {run.as_of}, "
                          f"{run.progress_total} record{'' if run.progress_total == 1 else 's'}, "
                          f"{run.seconds or 0:.2f} seconds")
