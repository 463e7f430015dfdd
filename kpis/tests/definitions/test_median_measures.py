"""The median measures of kpis.md (age at referral, cooling start, target temperature): per-case minutes
from time zero, None when the time is missing, NOT_ELIGIBLE outside the cohort."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import age_at_cooling_start_min, age_at_referral_min, age_at_target_temp_min
from kpis.definitions.base import MedianDefinition
from kpis.outcome import NOT_ELIGIBLE, MeasureValue
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, INBORN, NOT_COOLED, SPRING_BIRTH, at, make_facts

CASES = [
    # Referral: outborn TH babies only.
    pytest.param(age_at_referral_min, {}, 80.0, id="referral: outborn, 80 min"),
    pytest.param(age_at_referral_min, {"referral_datetime": at(85.5)}, 85.5, id="referral: exact, no rounding"),
    pytest.param(age_at_referral_min, {"referral_datetime": None}, None, id="referral: time missing"),
    pytest.param(age_at_referral_min, INBORN, NOT_ELIGIBLE, id="referral: inborn"),
    pytest.param(age_at_referral_min, {"cooling_centre_ods": None}, NOT_ELIGIBLE, id="referral: no centre"),
    pytest.param(age_at_referral_min, {"postnatal_collapse_datetime": at(60)}, 20.0,
                 id="referral: from postnatal collapse"),
    pytest.param(age_at_referral_min, {"birth_datetime": AUTUMN_BIRTH,
                                       "referral_datetime": datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=LONDON)},
                 120.0, id="referral: autumn night, 01:30 GMT is 120 min after 00:30 BST"),
    # Cooling start: earliest of passive and active.
    pytest.param(age_at_cooling_start_min, {}, 30.0, id="cooling: earliest start"),
    pytest.param(age_at_cooling_start_min, {"passive_cooling_start": None}, 200.0, id="cooling: active only"),
    pytest.param(age_at_cooling_start_min, INBORN, 30.0, id="cooling: inborn counts"),
    pytest.param(age_at_cooling_start_min, {"passive_cooling_start": None, "active_cooling_start": None}, None,
                 id="cooling: no start"),
    pytest.param(age_at_cooling_start_min, {"birth_datetime": SPRING_BIRTH, "active_cooling_start": None,
                                            "passive_cooling_start": datetime(2024, 3, 31, 7, 30, tzinfo=LONDON)},
                 360.0, id="cooling: spring night, 360 real min"),
    # Target temperature.
    pytest.param(age_at_target_temp_min, {}, 230.0, id="target: 230 min"),
    pytest.param(age_at_target_temp_min, {"target_temp_reached": None}, None, id="target: missing"),
    pytest.param(age_at_target_temp_min, {"target_temp_reached": None, "outcome": "died"}, None,
                 id="target: died before target is missing too"),
    pytest.param(age_at_target_temp_min, {"postnatal_collapse_datetime": at(100)}, 130.0,
                 id="target: from postnatal collapse"),
]


@pytest.mark.parametrize(("measure", "overrides", "expected"), CASES)
def test_value(measure: MedianDefinition, overrides: dict[str, Any], expected: MeasureValue) -> None:
    assert measure.value(make_facts(**overrides), AS_OF) == expected


@pytest.mark.parametrize("measure", [age_at_referral_min, age_at_cooling_start_min, age_at_target_temp_min],
                         ids=lambda m: m.CODE)
@pytest.mark.parametrize("overrides", [NOT_COOLED, {"therapeutic_hypothermia": "no"}], ids=["empty", "recorded"])
def test_not_cooled_is_not_eligible(measure: MedianDefinition, overrides: dict[str, Any]) -> None:
    assert measure.value(make_facts(**overrides), AS_OF) is NOT_ELIGIBLE
