"""The pathway's derived times, defined once (kpis.md "Conventions"), for the Case model and for the KPI
engine's CaseFacts alike: time zero, cooling start, minutes from time zero, TH baby.

A mixin over plain attributes (the dataset's field names), so it needs no database and works on a model
instance, an unsaved one, or a frozen dataclass. Comparisons and differences are on instants (UTC):
Python compares two Europe/London values on the wall clock, an hour out on clock-change nights.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.timeutil import minutes_between
from pathway import choices as c


class PathwayTimes:
    therapeutic_hypothermia: str
    birth_datetime: datetime
    postnatal_collapse_datetime: datetime | None
    passive_cooling_start: datetime | None
    active_cooling_start: datetime | None

    @property
    def is_cooled(self) -> bool:
        """TH baby: `therapeutic_hypothermia` = `yes`."""
        return self.therapeutic_hypothermia == c.YesNo.YES

    @property
    def time_zero(self) -> datetime:
        """Postnatal collapse when recorded, else birth."""
        return self.postnatal_collapse_datetime or self.birth_datetime

    @property
    def cooling_start(self) -> datetime | None:
        """The earliest instant of passive and active cooling start."""
        starts = [t for t in (self.passive_cooling_start, self.active_cooling_start) if t is not None]
        return min(starts, key=lambda t: t.astimezone(UTC)) if starts else None

    def minutes_from_zero(self, moment: datetime | None) -> float | None:
        """Exact minutes from time zero to `moment` (no rounding); None when not recorded."""
        return None if moment is None else minutes_between(self.time_zero, moment)
