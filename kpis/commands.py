"""What `compute_kpis` and `compute_pop_kpis` share: the --period and --as-of options, their checks, and the
one-line report of the run. Each command says what it computes (`compute`) and how its run is named."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpis.models import KpiRun
from kpis.periods import PeriodType, parse_period_key


def as_of_option(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}") from None


class ComputeCommand(BaseCommand):
    run_label = "KPI run"  # how the report line names the run
    counted = "case"  # what progress_total counts
    as_of_help = "Run date (default: today)"

    def compute(self, *, periods: list[str] | None, as_of: date | None) -> KpiRun:
        raise NotImplementedError

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", action="append", dest="periods", metavar="P",
                            help="A period key to recompute; repeat for several (default: every period)")
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help=self.as_of_help)

    def handle(self, *args: object, **options: Any) -> None:
        periods: list[str] | None = options["periods"]
        for key in periods or []:
            try:
                period = parse_period_key(key)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if period.type == PeriodType.CUSTOM:
                raise CommandError(f"{key}: a range of dates is not stored; the dashboards count it on demand")
        run = self.compute(periods=periods, as_of=as_of_option(options["as_of"]))
        scope = "every period" if periods is None else ", ".join(run.period_keys)
        counted = self.counted if run.progress_total == 1 else f"{self.counted}s"
        self.stdout.write(f"{self.run_label} {run.pk} {run.status}: {run.rows_written} rows for {scope} as of "
                          f"{run.as_of}, {run.progress_total} {counted}, {run.seconds or 0:.2f} seconds")
