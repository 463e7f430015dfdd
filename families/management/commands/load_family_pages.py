from typing import Any

from django.core.management.base import BaseCommand

from families.models import Page, PageVersion
from families.starter import load_starter_pages


class Command(BaseCommand):
    help = "Add the starter pages of the family website that do not exist yet (never overwrites an edited page)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = load_starter_pages(Page, PageVersion)
        self.stdout.write(f"{added} family website page(s) added")
