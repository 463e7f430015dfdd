"""CaseFacts: the values of one case that the KPI definitions read, as plain Python values.

Definitions never touch a model instance: they get a frozen CaseFacts, so they are pure, testable without
a database, and cannot trigger queries. Field names are the dataset's column names (dataset.md v1); coded
values are the dataset's lower-case words, with "" for "not recorded", as on the model.

Derived values follow kpis.md "Conventions": time zero, cooling start, outborn, and intervals computed on
absolute (UTC) instants so that a clock change never shifts a boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from core.timeutil import london_date, minutes_between
from pathway.derived import PathwayTimes
from units.models import Designation

if TYPE_CHECKING:
    from pathway.models import Case

# What a queryset must select_related so that facts_from_case runs no further query.
RELATED_UNITS = ("birth_unit", "cooling_centre", "transport_service")

# Re-exported: definitions measure intervals with the one UTC-based implementation (core.timeutil).
__all__ = ["RELATED_UNITS", "CaseFacts", "facts_from_case", "minutes_between"]


@dataclass(frozen=True, kw_only=True)
class CaseFacts(PathwayTimes):
    """One case as the HIE KPI definitions see it. None/"" = not recorded.

    Datetimes must be aware and are stored in UTC, so definitions may compare them directly.
    """

    case_id: int | None
    case_ref: str

    # Birth and attribution
    birth_datetime: datetime
    postnatal_collapse_datetime: datetime | None
    gestation_weeks: int
    gestation_days: int
    birth_unit_ods: str
    cooling_centre_ods: str | None
    # Not read by an HIE definition; carried for the POP place-of-birth KPI and NICU breakdowns.
    birth_unit_is_nicu: bool
    labour: str
    hie_grade: int | None

    # Referral, cooling and transfer
    therapeutic_hypothermia: str
    referral_datetime: datetime | None
    passive_cooling_start: datetime | None
    active_cooling_start: datetime | None
    core_monitoring_start: datetime | None
    target_temp_reached: datetime | None
    lowest_temp_before_arrival_c: Decimal | None
    transport_cooling: str
    depart_referring_datetime: datetime | None
    arrive_centre_datetime: datetime | None
    arrival_temp_c: Decimal | None
    rewarming_start: datetime | None
    rewarming_end: datetime | None
    early_stop_reason: str

    # After cooling
    parent_consultation_datetime: datetime | None
    placenta_sent: str
    mri_performed: str
    mri_datetime: datetime | None
    mnsi_referred: str
    outcome: str
    discharge_datetime: datetime | None
    followup_2y: str
    family_booklet_given: str

    # v2 (dataset.md "v2 additions"). Defaults are "not recorded", as a v1 case has them.
    referral_decision: str = ""
    not_cooled_reason: str = ""
    transport_service_ods: str | None = None
    transport_team_arrived_datetime: datetime | None = None
    mri_sequences: frozenset[str] = frozenset()
    mri_score_system: str = ""
    mri_injury_pattern: str = ""
    bayley_version: str = ""
    bayley_cognitive: int | None = None
    bayley_language: int | None = None
    bayley_motor: int | None = None
    cerebral_palsy: str = ""
    gmfcs_level: int | None = None
    vision: str = ""
    hearing: str = ""
    epilepsy: str = ""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, datetime):
                continue
            # A naive time has no instant: refuse it rather than guess its zone.
            if value.utcoffset() is None:
                raise ValueError(f"{field.name} must be an aware datetime, got {value!r}")
            # Python compares and subtracts two datetimes sharing a tzinfo on the wall clock (fold ignored),
            # so two Europe/London times in the fall-back hour would be misordered. In UTC, <, min() and
            # subtraction are on instants.
            object.__setattr__(self, field.name, value.astimezone(UTC))

    @property
    def is_outborn(self) -> bool:
        """Birth unit is not the cooling centre (kpis.md). No centre recorded counts as inborn, as on Case."""
        return self.cooling_centre_ods is not None and self.birth_unit_ods != self.cooling_centre_ods

    @property
    def gestation_total_days(self) -> int:
        return self.gestation_weeks * 7 + self.gestation_days

    @property
    def birth_date_london(self) -> date:
        """Europe/London calendar date of birth: period membership and age in months use it (dataset.md)."""
        return london_date(self.birth_datetime)

    def gestation_at_least(self, weeks: int, days: int = 0) -> bool:
        """Gestation ≥ weeks+days, in completed weeks+days."""
        return self.gestation_total_days >= weeks * 7 + days



def facts_from_case(case: Case) -> CaseFacts:
    """Build CaseFacts from a Case; no query when the units were select_related (see RELATED_UNITS)."""
    centre = case.cooling_centre  # None without a query when the key is empty
    transport = case.transport_service
    return CaseFacts(
        case_id=case.pk,
        case_ref=case.case_ref,
        birth_datetime=case.birth_datetime,
        postnatal_collapse_datetime=case.postnatal_collapse_datetime,
        gestation_weeks=case.gestation_weeks,
        gestation_days=case.gestation_days,
        birth_unit_ods=case.birth_unit.ods_code,
        cooling_centre_ods=centre.ods_code if centre is not None else None,
        birth_unit_is_nicu=case.birth_unit.designation == Designation.NICU,
        labour=case.labour,
        hie_grade=case.hie_grade,
        therapeutic_hypothermia=case.therapeutic_hypothermia,
        referral_datetime=case.referral_datetime,
        passive_cooling_start=case.passive_cooling_start,
        active_cooling_start=case.active_cooling_start,
        core_monitoring_start=case.core_monitoring_start,
        target_temp_reached=case.target_temp_reached,
        lowest_temp_before_arrival_c=case.lowest_temp_before_arrival_c,
        transport_cooling=case.transport_cooling,
        depart_referring_datetime=case.depart_referring_datetime,
        arrive_centre_datetime=case.arrive_centre_datetime,
        arrival_temp_c=case.arrival_temp_c,
        rewarming_start=case.rewarming_start,
        rewarming_end=case.rewarming_end,
        early_stop_reason=case.early_stop_reason,
        parent_consultation_datetime=case.parent_consultation_datetime,
        placenta_sent=case.placenta_sent,
        mri_performed=case.mri_performed,
        mri_datetime=case.mri_datetime,
        mnsi_referred=case.mnsi_referred,
        outcome=case.outcome,
        discharge_datetime=case.discharge_datetime,
        followup_2y=case.followup_2y,
        family_booklet_given=case.family_booklet_given,
        referral_decision=case.referral_decision,
        not_cooled_reason=case.not_cooled_reason,
        transport_service_ods=transport.ods_code if transport is not None else None,
        transport_team_arrived_datetime=case.transport_team_arrived_datetime,
        mri_sequences=frozenset(case.mri_sequences or ()),
        mri_score_system=case.mri_score_system,
        mri_injury_pattern=case.mri_injury_pattern,
        bayley_version=case.bayley_version,
        bayley_cognitive=case.bayley_cognitive,
        bayley_language=case.bayley_language,
        bayley_motor=case.bayley_motor,
        cerebral_palsy=case.cerebral_palsy,
        gmfcs_level=case.gmfcs_level,
        vision=case.vision,
        hearing=case.hearing,
        epilepsy=case.epilepsy,
    )
