"""The v2 process KPIs of kpis.md: referral_decision_recorded, mri_protocol_sequences, mri_structured_report,
followup_2y_structured, and the two transport medians (referral_to_team_arrival_min,
team_arrival_to_departure_min). One table per definition, every boundary, expected values worked by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import (
    followup_2y_structured,
    mri_protocol_sequences,
    mri_structured_report,
    referral_decision_recorded,
    referral_to_team_arrival_min,
    team_arrival_to_departure_min,
)
from kpis.definitions.base import KpiDefinition, MedianDefinition
from kpis.outcome import NOT_ELIGIBLE, MeasureValue, Outcome
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, INBORN, NOT_COOLED, SPRING_BIRTH, at, make_facts

MET, NOT_MET, NOT_ELIGIBLE_, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING

# --- referral_decision_recorded: every referral, cooled or not --------------------------------------------------

REFERRAL = [
    pytest.param({}, MET, id="cooled, decision cool"),
    pytest.param({"referral_decision": ""}, NOT_MET, id="referral without decision: not met, never missing"),
    pytest.param({**NOT_COOLED, "referral_decision": "do_not_cool", "not_cooled_reason": "improved"}, MET,
                 id="not cooled, decision recorded"),
    pytest.param({**NOT_COOLED, "referral_decision": "observe"}, MET, id="observe"),
    pytest.param({**NOT_COOLED, "referral_decision": ""}, NOT_MET, id="not cooled, no decision"),
    pytest.param({"referral_datetime": None}, NOT_ELIGIBLE_, id="no referral call: not in the cohort"),
    pytest.param({**INBORN, "referral_decision": ""}, NOT_MET, id="inborn referral counts too"),
]


@pytest.mark.parametrize(("overrides", "expected"), REFERRAL)
def test_referral_decision_recorded(overrides: dict[str, Any], expected: Outcome) -> None:
    assert referral_decision_recorded.evaluate(make_facts(**overrides), AS_OF) is expected


# --- mri_protocol_sequences ---------------------------------------------------------------------------------------

PROTOCOL = frozenset({"t1", "t2", "dwi", "mrs"})
SEQUENCES = [
    pytest.param({}, MET, id="exactly the four"),
    pytest.param({"mri_sequences": PROTOCOL | {"swi"}}, MET, id="the four and SWI"),
    pytest.param({"mri_sequences": PROTOCOL - {"mrs"}}, NOT_MET, id="no spectroscopy"),
    pytest.param({"mri_sequences": PROTOCOL - {"dwi"}}, NOT_MET, id="no diffusion"),
    pytest.param({"mri_sequences": frozenset({"swi"})}, NOT_MET, id="SWI only"),
    pytest.param({"mri_sequences": frozenset()}, MISSING, id="no sequence recorded"),
    pytest.param({"mri_performed": "no", "mri_datetime": None}, NOT_ELIGIBLE_, id="no MRI"),
    pytest.param({"mri_performed": "unknown", "mri_datetime": None}, NOT_ELIGIBLE_, id="MRI unknown"),
    pytest.param({"mri_performed": ""}, NOT_ELIGIBLE_, id="MRI not recorded"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE_, id="not cooled"),
]


@pytest.mark.parametrize(("overrides", "expected"), SEQUENCES)
def test_mri_protocol_sequences(overrides: dict[str, Any], expected: Outcome) -> None:
    assert mri_protocol_sequences.evaluate(make_facts(**overrides), AS_OF) is expected


# --- mri_structured_report ------------------------------------------------------------------------------------------

REPORT = [
    pytest.param({}, MET, id="pattern and NICHD NRN score"),
    pytest.param({"mri_score_system": "other"}, MET, id="another named system"),
    pytest.param({"mri_score_system": "none"}, NOT_MET, id="pattern, scored with no system"),
    pytest.param({"mri_score_system": ""}, NOT_MET, id="pattern only"),
    pytest.param({"mri_injury_pattern": ""}, NOT_MET, id="score only"),
    pytest.param({"mri_injury_pattern": "", "mri_score_system": "none"}, NOT_MET, id="no pattern, system none"),
    pytest.param({"mri_injury_pattern": "", "mri_score_system": ""}, MISSING, id="both empty"),
    pytest.param({"mri_performed": "no", "mri_datetime": None}, NOT_ELIGIBLE_, id="no MRI"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE_, id="not cooled"),
]


@pytest.mark.parametrize(("overrides", "expected"), REPORT)
def test_mri_structured_report(overrides: dict[str, Any], expected: Outcome) -> None:
    assert mri_structured_report.evaluate(make_facts(**overrides), AS_OF) is expected


# --- followup_2y_structured ---------------------------------------------------------------------------------------

COMPLETE: dict[str, Any] = {
    "followup_2y": "completed", "bayley_version": "iii", "bayley_cognitive": 95, "bayley_language": 88,
    "bayley_motor": 91, "cerebral_palsy": "none", "vision": "normal", "hearing": "normal",
}


def completed(**changes: Any) -> dict[str, Any]:
    return {**COMPLETE, **changes}


STRUCTURED = [
    pytest.param(completed(), MET, id="Bayley-III, three composites, CP vision hearing"),
    pytest.param(completed(bayley_version="iv"), MET, id="Bayley-4"),
    pytest.param(completed(bayley_cognitive=40, bayley_language=160), MET, id="composites at the range ends"),
    pytest.param(completed(bayley_version="not_done", bayley_cognitive=None, bayley_language=None,
                           bayley_motor=None), NOT_MET, id="Bayley not done"),
    pytest.param(completed(bayley_version=""), NOT_MET, id="Bayley version empty"),
    pytest.param(completed(bayley_motor=None), NOT_MET, id="motor composite missing"),
    pytest.param(completed(bayley_language=None), NOT_MET, id="language composite missing"),
    pytest.param(completed(cerebral_palsy="unknown"), NOT_MET, id="CP unknown"),
    pytest.param(completed(cerebral_palsy="bilateral_spastic"), MET, id="CP type recorded"),
    pytest.param(completed(vision=""), NOT_MET, id="vision empty"),
    pytest.param(completed(hearing="unknown"), NOT_MET, id="hearing unknown"),
    pytest.param(completed(epilepsy=""), MET, id="epilepsy is not one of the items"),
    pytest.param(completed(followup_2y="not_done"), NOT_ELIGIBLE_, id="follow-up not done"),
    pytest.param(completed(followup_2y=""), NOT_ELIGIBLE_, id="follow-up not recorded"),
    pytest.param({**NOT_COOLED, **completed()}, NOT_ELIGIBLE_, id="not cooled"),
]


@pytest.mark.parametrize(("overrides", "expected"), STRUCTURED)
def test_followup_2y_structured(overrides: dict[str, Any], expected: Outcome) -> None:
    assert followup_2y_structured.evaluate(make_facts(**overrides), AS_OF) is expected


# --- The transport medians --------------------------------------------------------------------------------------

# Spring night: clocks go 01:00 GMT → 02:00 BST on 31 Mar 2024. 00:50 GMT to 02:20 BST is 30 real minutes.
SPRING_CALL = datetime(2024, 3, 31, 0, 50, tzinfo=LONDON)
SPRING_TEAM = datetime(2024, 3, 31, 2, 20, tzinfo=LONDON)
# Autumn night: 01:40 BST (first) to 01:10 GMT (second) is 30 real minutes, though the clock went back.
AUTUMN_TEAM = datetime(2024, 10, 27, 1, 40, tzinfo=LONDON)
AUTUMN_LEAVE = datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=LONDON)

MEDIANS = [
    pytest.param(referral_to_team_arrival_min, {}, 50.0, id="call 80 min, team 130 min"),
    pytest.param(referral_to_team_arrival_min, {"transport_team_arrived_datetime": at(80.5)}, 0.5,
                 id="exact minutes, no rounding"),
    pytest.param(referral_to_team_arrival_min, {"transport_team_arrived_datetime": None}, None, id="no team time"),
    pytest.param(referral_to_team_arrival_min, {"referral_datetime": None}, None, id="no referral time"),
    pytest.param(referral_to_team_arrival_min, {"birth_datetime": SPRING_BIRTH, "referral_datetime": SPRING_CALL,
                                                "transport_team_arrived_datetime": SPRING_TEAM}, 30.0,
                 id="spring night: 30 real minutes, 90 on the wall clock"),
    pytest.param(referral_to_team_arrival_min, INBORN, NOT_ELIGIBLE, id="inborn"),
    pytest.param(team_arrival_to_departure_min, {}, 40.0, id="team 130 min, left 170 min"),
    pytest.param(team_arrival_to_departure_min, {"depart_referring_datetime": None}, None, id="no departure"),
    pytest.param(team_arrival_to_departure_min, {"transport_team_arrived_datetime": None}, None, id="no team"),
    pytest.param(team_arrival_to_departure_min, {"birth_datetime": AUTUMN_BIRTH,
                                                 "transport_team_arrived_datetime": AUTUMN_TEAM,
                                                 "depart_referring_datetime": AUTUMN_LEAVE}, 30.0,
                 id="autumn night: 30 real minutes, though the clock reads earlier"),
    pytest.param(team_arrival_to_departure_min, INBORN, NOT_ELIGIBLE, id="inborn: no transfer"),
]


@pytest.mark.parametrize(("measure", "overrides", "expected"), MEDIANS)
def test_transport_medians(measure: MedianDefinition, overrides: dict[str, Any], expected: MeasureValue) -> None:
    assert measure.value(make_facts(**overrides), AS_OF) == expected


@pytest.mark.parametrize("definition", [mri_protocol_sequences, mri_structured_report, followup_2y_structured],
                         ids=lambda d: d.CODE)
def test_th_cohorts_leave_out_babies_not_cooled(definition: KpiDefinition) -> None:
    assert definition.evaluate(make_facts(**{**NOT_COOLED, **COMPLETE}), AS_OF) is NOT_ELIGIBLE_


@pytest.mark.parametrize("measure", [referral_to_team_arrival_min, team_arrival_to_departure_min],
                         ids=lambda d: d.CODE)
def test_transport_medians_leave_out_babies_not_cooled(measure: MedianDefinition) -> None:
    assert measure.value(make_facts(**NOT_COOLED), AS_OF) is NOT_ELIGIBLE
