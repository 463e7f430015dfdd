"""The explicit list of KPI definitions and median measures (kpis.md "HIE pathway KPIs").

Adding a KPI: write `definitions/<code>.py`, import it here, add it to KPIS or MEDIANS, add its tests.
No getattr or string dispatch: every definition is referenced by import, so grep and type checkers see it.
Order follows kpis.md, which is the order reports show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

from kpis.definitions import (
    age_at_cooling_start_min,
    age_at_referral_min,
    age_at_target_temp_min,
    arrival_temp_in_range,
    controlled_rewarming,
    cooled_outside_criteria,
    cooling_72h_completed,
    cooling_started_6h,
    core_monitoring_before_transfer,
    death_or_disability_2y,
    family_booklet_given,
    followup_2y,
    followup_2y_structured,
    hie_incidence_per_1000,
    mnsi_referral,
    mortality_before_discharge,
    mri_before_discharge,
    mri_day5_14,
    mri_protocol_sequences,
    mri_structured_report,
    overcooling_before_centre,
    parent_consultation_24h,
    placenta_sent,
    referral_decision_recorded,
    referral_to_team_arrival_min,
    servo_cooling_in_transport,
    target_temp_6h,
    team_arrival_to_departure_min,
)
from kpis.definitions.base import BirthCohortDefinition, KpiDefinition, MedianDefinition, PopulationRateDefinition
from kpis.facts import CaseFacts
from kpis.outcome import MeasureValue, Outcome

KPIS: tuple[KpiDefinition[CaseFacts], ...] = (
    cooling_started_6h,
    target_temp_6h,
    core_monitoring_before_transfer,
    overcooling_before_centre,
    arrival_temp_in_range,
    servo_cooling_in_transport,
    cooling_72h_completed,
    controlled_rewarming,
    parent_consultation_24h,
    placenta_sent,
    mri_before_discharge,
    mri_day5_14,
    mnsi_referral,
    followup_2y,
    family_booklet_given,
    mortality_before_discharge,
    cooled_outside_criteria,
    # kpis.md v2 additions, in the contract's order.
    referral_decision_recorded,
    mri_protocol_sequences,
    mri_structured_report,
    followup_2y_structured,
    death_or_disability_2y,
    hie_incidence_per_1000,
)

MEDIANS: tuple[MedianDefinition, ...] = (
    age_at_referral_min,
    age_at_cooling_start_min,
    age_at_target_temp_min,
    referral_to_team_arrival_min,
    team_arrival_to_departure_min,
)

# Reported by birth cohort (kpis.md v2 "Birth cohorts for outcomes"): dashboards show the newest birth year
# whose every baby is old enough (`kpis.cohorts`), never an immature window with "no eligible babies".
BY_BIRTH_COHORT: tuple[BirthCohortDefinition, ...] = (followup_2y, followup_2y_structured, death_or_disability_2y)

# Rare breaches of a time-critical standard, which also get "babies since the last breach" (a g-chart) and a
# pooled three-year funnel: monthly rates of a 1-in-1,000 event are noise (`kpis.views` rare-event page).
BREACHES: tuple[KpiDefinition, ...] = (cooling_started_6h, target_temp_6h, overcooling_before_centre)

# Rates per RATE_PER babies of a population (kpis.md v2 `hie_incidence_per_1000`: live births, `kpis.incidence`),
# shown "per 1,000" rather than as a percentage.
RATE_PER: Mapping[str, int] = MappingProxyType(
    {d.CODE: d.RATE_PER for d in KPIS if isinstance(d, PopulationRateDefinition)})

Definition = KpiDefinition[CaseFacts] | MedianDefinition


def definitions_by_code(definitions: Iterable[Definition]) -> dict[str, Definition]:
    by_code: dict[str, Definition] = {}
    for definition in definitions:
        # Two modules claiming one code would silently overwrite each other's stored results.
        if definition.CODE in by_code:
            raise ValueError(f"Duplicate KPI code {definition.CODE!r}")
        by_code[definition.CODE] = definition
    return by_code


REGISTRY: Mapping[str, Definition] = MappingProxyType(definitions_by_code((*KPIS, *MEDIANS)))


def evaluate_all(facts: CaseFacts, as_of: date) -> dict[str, Outcome]:
    """Outcome of every KPI for one case, keyed by code."""
    return {definition.CODE: definition.evaluate(facts, as_of) for definition in KPIS}


def measure_all(facts: CaseFacts, as_of: date) -> dict[str, MeasureValue]:
    """Value of every median measure for one case (minutes, None = missing, or NOT_ELIGIBLE), keyed by code."""
    return {definition.CODE: definition.value(facts, as_of) for definition in MEDIANS}
