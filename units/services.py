"""Writes to units: loading the reference network."""

from __future__ import annotations

from django.db import transaction

from units.models import Network, Unit
from units.reference import NETWORK, UNITS


@transaction.atomic
def network_load_reference() -> Network:
    """Create or update the East of England network and its units by ODS code (never deletes)."""
    network, _ = Network.objects.update_or_create(name=NETWORK["name"], defaults=NETWORK)
    for row in UNITS:
        Unit.objects.update_or_create(
            ods_code=row["ods"],
            defaults={
                "network": network,
                "former_ods_codes": row["former"],
                "name": row["name"],
                "short_name": row["short"],
                "trust_name": row["trust"],
                "trust_ods": row["trust_ods"],
                "designation": row["designation"],
                "is_cooling_centre": row["cooling_centre"],
                "latitude": row["lat"],
                "longitude": row["lon"],
            },
        )
    return network
