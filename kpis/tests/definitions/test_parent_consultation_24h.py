"""parent_consultation_24h (kpis.md HIE table): consultation ≤ 24 h after admission, where admission is
arrival at the cooling centre for outborn babies and birth for inborn ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import parent_consultation_24h as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, INBORN, NOT_COOLED, SPRING_BIRTH, at, hours, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
ARRIVAL = 240  # minutes after birth, the builder's default


CASES = [
    pytest.param({}, MET, id="outborn default"),
    pytest.param({"parent_consultation_datetime": at(ARRIVAL + hours(24))}, MET, id="outborn: 24 h after arrival"),
    pytest.param({"parent_consultation_datetime": at(ARRIVAL + hours(24, 1))}, NOT_MET,
                 id="outborn: 24 h 01 after arrival"),
    # 24 h from birth would already be over, but outborn babies are timed from arrival.
    pytest.param({"parent_consultation_datetime": at(hours(25))}, MET,
                 id="outborn: 25 h after birth, 21 h after arrival"),
    pytest.param({"arrive_centre_datetime": None}, MISSING, id="outborn: arrival empty"),
    pytest.param({"parent_consultation_datetime": None}, MISSING, id="outborn: consultation empty"),
    pytest.param({**INBORN, "parent_consultation_datetime": at(hours(24))}, MET, id="inborn: 24 h after birth"),
    pytest.param({**INBORN, "parent_consultation_datetime": at(hours(24, 1))}, NOT_MET, id="inborn: 24 h 01"),
    pytest.param({**INBORN, "arrive_centre_datetime": None, "parent_consultation_datetime": at(hours(20))}, MET,
                 id="inborn: no arrival time needed"),
    pytest.param({**INBORN, "parent_consultation_datetime": None}, MISSING, id="inborn: consultation empty"),
    pytest.param({**INBORN, "birth_datetime": SPRING_BIRTH,
                  "parent_consultation_datetime": datetime(2024, 4, 1, 1, 30, tzinfo=LONDON)}, MET,
                 id="inborn, spring night: 24 h real (wall clock 25 h)"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, consultation recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
