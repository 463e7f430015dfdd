"""`python manage.py seed_training [--seed N] [--as-of YYYY-MM-DD] [--network london]`: demo training data and
its KPI rows.

Seeds the East of England's units, or with `--network london` (after `seed_demo --network london`, issue 18)
the London networks' units, each with its network's key messages. Does nothing when those units already have
training sessions (so `make demo` can run it every time). The sessions are recorded by the demo nurse
specialist (`london_nurse` for London) when that login exists.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pathway.management.commands.seed_demo import NETWORKS
from training import demo
from training.models import TrainingSession
from training.services import compute_training_kpis


class Command(BaseCommand):
    help = "Seed demo training sessions and establishments for every unit (skipped if any session exists)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
        parser.add_argument("--network", choices=sorted(NETWORKS), default=None,
                            help="another region's demo: its units only (skipped when they have sessions)")

    def handle(self, *args: Any, **options: Any) -> None:
        network = options["network"]
        units = demo.demo_units(NETWORKS[network] if network else None)
        if network and not units.exists():
            raise CommandError("The London units are not loaded: run `seed_demo --network london` first.")
        if TrainingSession.objects.filter(unit__in=units.values("pk")).exists():
            self.stdout.write("Training sessions already exist: nothing seeded.")
            return
        as_of = options["as_of"] or timezone.localdate()
        author = "london_nurse" if network else "nurse"
        by = get_user_model().objects.filter(username=author).first() or AnonymousUser()
        with transaction.atomic():
            count = demo.seed(seed=options["seed"], as_of=as_of, by=by, units=units)
        run = compute_training_kpis(as_of)  # also queued on commit; computed here, as of --as-of, at once
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {count} training sessions; {run.rows_written} coverage KPI rows as of {as_of:%d/%m/%Y}."))
