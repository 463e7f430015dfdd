"""Case temperatures derived from the observation series (domain.md §8.1 "Temperature site/flags").

Only core (rectal/oesophageal) readings count. Before arrival = observed strictly before
`arrive_centre_datetime` (all readings when the baby has not arrived yet). The arrival temperature is
the first core reading within an hour of arrival, the admission reading the cooling centre takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pathway import standards

ARRIVAL_WINDOW = standards.ARRIVAL_READING_WITHIN


class Reading(Protocol):
    observed_at: datetime
    temp_c: Decimal

    @property
    def is_core(self) -> bool: ...


def lowest_before_arrival(readings: Iterable[Reading], arrival: datetime | None) -> Decimal | None:
    core = [r.temp_c for r in readings if r.is_core and (arrival is None or r.observed_at < arrival)]
    return min(core) if core else None


def arrival_temperature(readings: Iterable[Reading], arrival: datetime | None) -> Decimal | None:
    if arrival is None:
        return None
    after = sorted((r for r in readings if r.is_core and arrival <= r.observed_at <= arrival + ARRIVAL_WINDOW),
                   key=lambda r: r.observed_at)
    return after[0].temp_c if after else None


def first_in_target(readings: Iterable[Reading], cooling_start: datetime | None) -> datetime | None:
    """First core reading at 33.0–34.0 °C at or after cooling start (dataset.md `target_temp_reached`)."""
    if cooling_start is None:
        return None
    hits = [r.observed_at for r in readings
            if r.is_core and r.observed_at >= cooling_start and standards.in_target(r.temp_c)]
    return min(hits) if hits else None
