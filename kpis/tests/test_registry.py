"""The registry holds exactly the definitions of kpis.md's HIE table and median measures, each complete."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from kpis import registry
from kpis.definitions.base import KpiDefinition, Level, MedianDefinition
from kpis.outcome import NOT_ELIGIBLE, Direction, Outcome
from kpis.tests.builders import AS_OF, NOT_COOLED, make_facts

# Copied by hand from kpis.md, in its order: a code added or dropped there must be added or dropped here.
KPIS_MD_HIE_CODES = [
    "cooling_started_6h",
    "target_temp_6h",
    "core_monitoring_before_transfer",
    "overcooling_before_centre",
    "arrival_temp_in_range",
    "servo_cooling_in_transport",
    "cooling_72h_completed",
    "controlled_rewarming",
    "parent_consultation_24h",
    "placenta_sent",
    "mri_before_discharge",
    "mri_day5_14",
    "mnsi_referral",
    "followup_2y",
    "family_booklet_given",
    "mortality_before_discharge",
    "cooled_outside_criteria",
]
# kpis.md "v2 additions", in its order.
KPIS_MD_V2_CODES = [
    "referral_decision_recorded",
    "mri_protocol_sequences",
    "mri_structured_report",
    "followup_2y_structured",
    "death_or_disability_2y",
    "hie_incidence_per_1000",
]
KPIS_MD_MEDIAN_CODES = ["age_at_referral_min", "age_at_cooling_start_min", "age_at_target_temp_min",
                        "referral_to_team_arrival_min", "team_arrival_to_departure_min"]
ALL_RATE_CODES = KPIS_MD_HIE_CODES + KPIS_MD_V2_CODES

KPIS_MD_DIRECTIONS = {
    "overcooling_before_centre": Direction.LOWER,
    "mortality_before_discharge": Direction.LOWER,
    "cooled_outside_criteria": Direction.MONITOR,
    "death_or_disability_2y": Direction.LOWER,
    "hie_incidence_per_1000": Direction.MONITOR,
}

# Issue 18: every figure also at the birth unit's trust, LMNS, ICB, network and region.
ABOVE = (Level.TRUST, Level.LMNS, Level.ICB, Level.NETWORK, Level.REGION)
TH = (Level.BIRTH_UNIT, Level.COOLING_CENTRE, *ABOVE)
# kpis.md v2: the transport level for the transfer figures the transport team owns; incidence is per birth unit.
KPIS_MD_LEVELS = {
    **dict.fromkeys(["overcooling_before_centre", "arrival_temp_in_range", "servo_cooling_in_transport",
                     "referral_to_team_arrival_min", "team_arrival_to_departure_min"], (*TH, Level.TRANSPORT)),
    "hie_incidence_per_1000": (Level.BIRTH_UNIT, *ABOVE),
}

ALL = [*registry.KPIS, *registry.MEDIANS]


def test_registry_holds_exactly_the_kpis_md_codes_in_order() -> None:
    assert [d.CODE for d in registry.KPIS] == ALL_RATE_CODES
    assert [d.CODE for d in registry.MEDIANS] == KPIS_MD_MEDIAN_CODES
    assert list(registry.REGISTRY) == ALL_RATE_CODES + KPIS_MD_MEDIAN_CODES
    assert [d.CODE for d in registry.BY_BIRTH_COHORT] == ["followup_2y", "followup_2y_structured",
                                                          "death_or_disability_2y"]
    assert dict(registry.RATE_PER) == {"hie_incidence_per_1000": 1000}


@pytest.mark.parametrize("definition", ALL, ids=lambda d: d.CODE)
def test_definition_is_complete(definition: ModuleType) -> None:
    module_name = definition.__name__.rsplit(".", 1)[-1]
    assert module_name == definition.CODE, "module is named after its code"
    assert definition.TITLE.strip()
    assert definition.SOURCE.startswith(("kpis.md HIE pathway KPIs", "kpis.md v2"))
    assert isinstance(definition.VERSION, int)
    assert definition.VERSION >= 1
    assert isinstance(definition.DIRECTION, Direction)
    # Most HIE cohorts are TH babies, who have a cooling centre: all three levels apply (kpis.md "Levels").
    expected_levels = KPIS_MD_LEVELS.get(definition.CODE, TH)
    assert tuple(definition.LEVELS) == expected_levels
    docstring = inspect.getdoc(definition) or ""
    assert "kpis.md" in docstring
    assert f"`{definition.CODE}`" in docstring


@pytest.mark.parametrize("definition", registry.KPIS, ids=lambda d: d.CODE)
def test_kpi_direction_matches_kpis_md(definition: KpiDefinition) -> None:
    assert isinstance(definition, KpiDefinition)
    assert definition.DIRECTION is KPIS_MD_DIRECTIONS.get(definition.CODE, Direction.HIGHER)


@pytest.mark.parametrize("definition", registry.MEDIANS, ids=lambda d: d.CODE)
def test_medians_are_median_definitions_where_shorter_is_better(definition: MedianDefinition) -> None:
    assert isinstance(definition, MedianDefinition)
    assert definition.DIRECTION is Direction.LOWER


def test_evaluate_all_on_the_default_baby() -> None:
    outcomes = registry.evaluate_all(make_facts(), AS_OF)
    expected = dict.fromkeys(ALL_RATE_CODES, Outcome.MET)
    expected.update({
        "overcooling_before_centre": Outcome.NOT_MET,  # lowest 33.4 °C
        "followup_2y": Outcome.NOT_ELIGIBLE,  # born 2024, run in 2025
        "followup_2y_structured": Outcome.NOT_ELIGIBLE,  # no follow-up yet
        "death_or_disability_2y": Outcome.NOT_ELIGIBLE,  # too young
        "mortality_before_discharge": Outcome.NOT_MET,  # alive
        "cooled_outside_criteria": Outcome.NOT_MET,  # 39+2, grade 2, cooled at 30 min
    })
    assert outcomes == expected


def test_measure_all_on_the_default_baby() -> None:
    assert registry.measure_all(make_facts(), AS_OF) == {
        "age_at_referral_min": 80.0,
        "age_at_cooling_start_min": 30.0,
        "age_at_target_temp_min": 230.0,
        "referral_to_team_arrival_min": 50.0,
        "team_arrival_to_departure_min": 40.0,
    }


@pytest.mark.parametrize("overrides", [NOT_COOLED, {"therapeutic_hypothermia": "no"}], ids=["empty", "recorded"])
def test_not_cooled_baby_is_not_eligible_for_everything(overrides: dict[str, object]) -> None:
    facts = make_facts(**overrides)
    outcomes = registry.evaluate_all(facts, AS_OF)
    # Two v2 measures count babies not cooled too: every referral's decision, and every HIE baby's incidence.
    assert outcomes.pop("referral_decision_recorded") is Outcome.MET
    assert outcomes.pop("hie_incidence_per_1000") is Outcome.MET
    assert set(outcomes.values()) == {Outcome.NOT_ELIGIBLE}
    assert set(registry.measure_all(facts, AS_OF).values()) == {NOT_ELIGIBLE}


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="cooling_started_6h"):
        registry.definitions_by_code([*registry.KPIS, registry.KPIS[0]])
