from typing import Any

from django.core.management.base import BaseCommand

from families.models import Page, PageVersion
from families.starter import load_starter_pages
from units.models import Network


class Command(BaseCommand):
    help = "Add the starter pages of the family website that do not exist yet (never overwrites an edited page)."

    def handle(self, *args: Any, **options: Any) -> None:
        # Each network has its own website (issue 18).
        added = sum(load_starter_pages(Page, PageVersion, network_id=pk)
                    for pk in Network.objects.order_by("pk").values_list("pk", flat=True))
        self.stdout.write(f"{added} family website page(s) added")
