from django.core.management.base import BaseCommand

from units.services import network_load_reference


class Command(BaseCommand):
    help = ("Load or update the East of England network, its units and their organisations "
            "(units/reference/organisations/east_of_england.csv; domain.md §3).")

    def handle(self, *args: object, **options: object) -> None:
        network = network_load_reference()
        self.stdout.write(f"{network}: {network.units.count()} units")
