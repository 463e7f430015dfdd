"""The facts a POP definition reads: one frozen value per record, built once by the compute run.

Times are aware instants; every interval is computed on UTC instants (core.timeutil.minutes_between), so a
clock-change night gives true hours (a 24 h window is 24 real hours, not 24 wall-clock hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from core.timeutil import london_date, minutes_between
from pathway import choices as c
from units.models import Designation

if TYPE_CHECKING:
    from pop.models import PopRecord


@dataclass(frozen=True)
class PopFacts:
    birth: datetime
    gestation_weeks: int
    gestation_days: int
    birth_weight_g: int
    multiple_birth: bool
    birth_unit_ods: str
    birth_unit_is_nicu: bool  # domain.md §8.2: from the organisation table, never from user entry
    labour: str = ""
    steroids_doses: int | None = None
    magnesium_start: datetime | None = None
    antibiotics_start: datetime | None = None
    cord_clamping_seconds: int | None = None
    first_temp_c: Decimal | None = None
    first_temp_at: datetime | None = None
    first_breast_milk_at: datetime | None = None

    @property
    def gestation_total_days(self) -> int:
        return self.gestation_weeks * 7 + self.gestation_days

    @property
    def birth_date_london(self) -> date:
        return london_date(self.birth)

    def minutes_after_birth(self, moment: datetime) -> float:
        """Exact minutes from birth to `moment` (negative when before birth)."""
        return minutes_between(self.birth, moment)


def facts_from_record(record: PopRecord) -> PopFacts:
    """The facts of a saved record (its birth unit must be loaded: select_related("birth_unit"))."""
    return PopFacts(
        birth=record.birth_datetime,
        gestation_weeks=record.gestation_weeks,
        gestation_days=record.gestation_days,
        birth_weight_g=record.birth_weight_g,
        multiple_birth=record.multiple_birth == c.YesNo.YES,
        birth_unit_ods=record.birth_unit.ods_code,
        birth_unit_is_nicu=record.birth_unit.designation == Designation.NICU,
        labour=record.labour,
        steroids_doses=record.steroids_doses,
        magnesium_start=record.magnesium_start_datetime,
        antibiotics_start=record.antibiotics_start_datetime,
        cord_clamping_seconds=record.cord_clamping_seconds,
        first_temp_c=record.first_temp_c,
        first_temp_at=record.first_temp_datetime,
        first_breast_milk_at=record.first_breast_milk_datetime,
    )
