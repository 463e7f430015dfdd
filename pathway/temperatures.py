"""Case temperatures derived from the observation series (domain.md §8.1 "Temperature site/flags").

Only core (rectal/oesophageal) readings count. Before arrival = observed strictly before
`arrive_centre_datetime` (all readings when the baby has not arrived yet). The arrival temperature is
the first core reading within an hour of arrival, the admission reading the cooling centre takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


# --- One truth per value (issue 13): the summary fields and the series never overwrite each other ------------

# The case's summary fields that the readings also give.
SERIES_FIELDS: tuple[str, ...] = ("lowest_temp_before_arrival_c", "arrival_temp_c", "target_temp_reached")
SeriesValue = Decimal | datetime | None


def implied(readings: Iterable[Reading], *, arrived: datetime | None,
            cooling_start: datetime | None) -> dict[str, SeriesValue]:
    """What the readings say for each summary field (None: they say nothing)."""
    readings = list(readings)
    return {
        "lowest_temp_before_arrival_c": lowest_before_arrival(readings, arrived),
        "arrival_temp_c": arrival_temperature(readings, arrived),
        "target_temp_reached": first_in_target(readings, cooling_start),
    }


def following(recorded: Mapping[str, SeriesValue], before: Mapping[str, SeriesValue],
              after: Mapping[str, SeriesValue]) -> dict[str, SeriesValue]:
    """The summary values a change of the series moves: a field follows the readings while it holds what they
    gave before the change (or is empty while they gave nothing); a value someone typed that differs from the
    readings is kept, and `disagreements` shows both."""
    return {field: after[field] for field in SERIES_FIELDS
            if recorded[field] == before[field] and recorded[field] != after[field] and after[field] is not None}


def disagreements(recorded: Mapping[str, SeriesValue], from_readings: Mapping[str, SeriesValue]) -> list[str]:
    """The summary fields whose recorded value differs from what the readings give (readings giving one)."""
    return [field for field in SERIES_FIELDS
            if from_readings[field] is not None and recorded[field] != from_readings[field]]
