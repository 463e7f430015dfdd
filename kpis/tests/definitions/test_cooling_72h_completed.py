"""cooling_72h_completed (kpis.md HIE table): 70 h ≤ rewarming start − target reached ≤ 74 h."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import cooling_72h_completed as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, NOT_COOLED, at, hours, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
TARGET = 230  # minutes after birth, the builder's default


def cooled_for(minutes: int) -> dict[str, Any]:
    return {"rewarming_start": at(TARGET + minutes)}


CASES = [
    pytest.param({}, MET, id="default: 72 h"),
    pytest.param(cooled_for(hours(70)), MET, id="70 h exactly"),
    pytest.param(cooled_for(hours(74)), MET, id="74 h exactly"),
    pytest.param(cooled_for(hours(69, 59)), NOT_MET, id="69 h 59"),
    pytest.param(cooled_for(hours(74, 1)), NOT_MET, id="74 h 01"),
    pytest.param(cooled_for(hours(12)), NOT_MET, id="stopped at 12 h with no reason"),
    pytest.param({"target_temp_reached": None}, MISSING, id="target time empty"),
    pytest.param({"rewarming_start": None}, MISSING, id="rewarming start empty"),
    pytest.param({"early_stop_reason": "died", **cooled_for(hours(30))}, NOT_ELIGIBLE, id="stopped early: died"),
    pytest.param({"early_stop_reason": "redirection_of_care", **cooled_for(hours(30))}, NOT_ELIGIBLE,
                 id="stopped early: redirection of care"),
    pytest.param({"early_stop_reason": "clinical_decision", "rewarming_start": None}, NOT_ELIGIBLE,
                 id="stopped early: clinical decision, no rewarming time"),
    # Spring forward: 12:00 GMT 29 Mar → 10:59 BST 1 Apr is 69 h 59 real (70 h 59 on the wall clock).
    pytest.param({"target_temp_reached": datetime(2024, 3, 29, 12, 0, tzinfo=LONDON),
                  "rewarming_start": datetime(2024, 4, 1, 10, 59, tzinfo=LONDON)}, NOT_MET,
                 id="spring: 69h59 real"),
    pytest.param({"target_temp_reached": datetime(2024, 3, 29, 12, 0, tzinfo=LONDON),
                  "rewarming_start": datetime(2024, 4, 1, 11, 0, tzinfo=LONDON)}, MET, id="spring: 70 h real"),
    # Fall back: 10:00 BST 25 Oct → 11:01 GMT 28 Oct is 74 h 01 real (73 h 01 on the wall clock).
    pytest.param({"target_temp_reached": datetime(2024, 10, 25, 10, 0, tzinfo=LONDON),
                  "rewarming_start": datetime(2024, 10, 28, 11, 1, tzinfo=LONDON)}, NOT_MET,
                 id="autumn: 74h01 real"),
    pytest.param({"target_temp_reached": datetime(2024, 10, 25, 10, 0, tzinfo=LONDON),
                  "rewarming_start": datetime(2024, 10, 28, 11, 0, tzinfo=LONDON)}, MET, id="autumn: 74 h real"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, times recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
