"""Each network keeps its own key messages (issue 18): a new network starts from the default list."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from training.models import KeyMessage
from units.models import Network

# The defaults of the first network (migration 0002, issue 5); nurse specialists edit each list afterwards.
DEFAULT_KEY_MESSAGES = (
    "Start passive cooling with a rectal probe",
    "Call for transfer early",
    "Avoid overcooling",
    "Continuous core temperature monitoring",
    "Document times",
    "Support the family",
)


def give_default_key_messages(network: Network) -> int:
    """The deployment's first network adopts the messages made before any network existed (a new database's
    defaults); any later network gets its own copy of the defaults. Returns how many rows it got."""
    adopted = KeyMessage.objects.filter(network__isnull=True).update(network=network)
    if adopted:
        return adopted
    existing = set(KeyMessage.objects.filter(network=network).values_list("text", flat=True))
    made = [KeyMessage(network=network, text=text, order=order)
            for order, text in enumerate(DEFAULT_KEY_MESSAGES, start=1) if text not in existing]
    KeyMessage.objects.bulk_create(made)
    return len(made)


@receiver(post_save, sender=Network, dispatch_uid="training_network_key_messages")
def _network_created(sender: type[Network], instance: Network, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        give_default_key_messages(instance)
