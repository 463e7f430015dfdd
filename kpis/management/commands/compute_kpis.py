"""`python manage.py compute_kpis [--period P ...] [--as-of YYYY-MM-DD]`: recompute the stored KPIs now."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpis.models import KpiRun
from kpis.periods import parse_period_key
from kpis.services import compute


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Recompute the KPI figures (kpis.md) and store them, as the nightly task does. Without --period every "
        "period is recomputed and every stored figure replaced; with --period only those periods are. "
        "Period keys: 2024 (year), 2024-Q3 (quarter), 2024-07 (month), R12-2024-07 (12 months ending July "
        "2024). Prints the run id, the number of figures written and the time taken. A failure is recorded "
        "on the run and the command exits with an error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", action="append", dest="periods", metavar="P",
                            help="A period key to recompute; repeat for several (default: every period)")
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                            help="Run date for date-dependent rules and the last rolling window (default: today)")

    def handle(self, *args: object, **options: Any) -> None:
        periods: list[str] | None = options["periods"]
        for key in periods or []:
            try:
                parse_period_key(key)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        run = compute(periods=periods, as_of=_as_of(options["as_of"]), trigger=KpiRun.Trigger.MANUAL)
        scope = "every period" if run.scope == KpiRun.Scope.FULL else ", ".join(run.period_keys)
        self.stdout.write(
            f"KPI run {run.pk} {run.status}: {run.rows_written} rows for {scope} as of {run.as_of}, "
            f"{run.progress_total} case{'' if run.progress_total == 1 else 's'}, {run.seconds or 0:.2f} seconds"
        )
