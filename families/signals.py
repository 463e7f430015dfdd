"""Each network runs its own family website (issue 18): a new network starts from the starter pages."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from families.models import Page, PageVersion
from families.starter import load_starter_pages
from units.models import Network


def give_starter_pages(network: Network) -> int:
    """The deployment's first network adopts the pages made before any network existed (a new database's
    starter pages); any later network gets its own published copy of the starter pages to edit."""
    adopted = Page.objects.filter(network__isnull=True).update(network=network)
    return adopted or load_starter_pages(Page, PageVersion, network_id=network.pk)


@receiver(post_save, sender=Network, dispatch_uid="families_network_pages")
def _network_created(sender: type[Network], instance: Network, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        give_starter_pages(instance)
