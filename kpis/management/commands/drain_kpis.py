"""`python manage.py drain_kpis PRODUCER`: recompute the producer's pending periods now (what the delayed drain
task does). The embedded set-up's background drain runs it in a process of its own (`kpis.background`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kpis import producers


class Command(BaseCommand):
    help = "Recompute every pending period of one producer of figures (hie, pop, training) in one run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("producer", help="the producer whose pending periods to recompute: hie, pop or training")
        parser.add_argument("--triggered-by", type=int, default=None, help="id of the user whose save queued it")

    def handle(self, *args: Any, **options: Any) -> None:
        from kpis.tasks import recompute_pending

        producer = options["producer"]
        producers.get(producer)  # an unknown name fails here, with the names it knows
        run_id = recompute_pending(producer=producer, triggered_by_id=options["triggered_by"])
        self.stdout.write(f"{producer}: run {run_id}" if run_id else f"{producer}: nothing pending")
