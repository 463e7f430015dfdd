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
    family_booklet_given,
    followup_2y,
    mnsi_referral,
    mortality_before_discharge,
    mri_before_discharge,
    mri_day5_14,
    overcooling_before_centre,
    parent_consultation_24h,
    placenta_sent,
    servo_cooling_in_transport,
    target_temp_6h,
)
from kpis.definitions.base import BirthCohortDefinition, KpiDefinition, MedianDefinition
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
)

MEDIANS: tuple[MedianDefinition, ...] = (
    age_at_referral_min,
    age_at_cooling_start_min,
    age_at_target_temp_min,
)

# Reported by birth cohort (kpis.md v2 "Birth cohorts for outcomes"): dashboards show the newest birth year
# whose every baby is old enough (`kpis.cohorts`), never an immature window with "no eligible babies".
BY_BIRTH_COHORT: tuple[BirthCohortDefinition, ...] = (followup_2y,)

# Rare breaches of a time-critical standard, which also get "babies since the last breach" (a g-chart) and a
# pooled three-year funnel: monthly rates of a 1-in-1,000 event are noise (`kpis.views` rare-event page).
BREACHES: tuple[KpiDefinition, ...] = (cooling_started_6h, target_temp_6h, overcooling_before_centre)

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
