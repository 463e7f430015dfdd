"""`python manage.py seed_live_births [--if-empty] [--seed N] [--years 6]`: demo live births for the East of
England units, for the complete years before this one (`units.births_demo`)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from units.births_demo import has_figures, seed_live_births
from units.demo_users import demo_users_ensure
from units.services import network_load_reference


class Command(BaseCommand):
    help = "Demo live births per unit and year (synthetic, plausible figures)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when live births exist")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--years", type=int, default=6, help="complete years before this one")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and has_figures():
            self.stdout.write("Live births already recorded: demo figures not loaded.")
            return
        network_load_reference()
        author = demo_users_ensure()["nurse"]  # the nurse specialist keeps the network's figures
        last_year = timezone.localdate().year - 1
        written = seed_live_births(last_year=last_year, years=options["years"], seed=options["seed"], by=author)
        self.stdout.write(self.style.SUCCESS(f"Live births: {written} unit-years written up to {last_year}"))
