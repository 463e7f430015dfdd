"""target_temp_6h (kpis.md HIE table): target reached ≤ 360 min from time zero; died before target excluded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import target_temp_6h as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, NOT_COOLED, SPRING_BIRTH, at, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING

CASES = [
    pytest.param({}, MET, id="default: 230 min"),
    pytest.param({"target_temp_reached": at(360)}, MET, id="exactly 360 min"),
    pytest.param({"target_temp_reached": at(361)}, NOT_MET, id="361 min"),
    pytest.param({"target_temp_reached": None}, MISSING, id="not recorded, alive"),
    pytest.param({"target_temp_reached": None, "outcome": "unknown"}, MISSING, id="not recorded, outcome unknown"),
    pytest.param({"target_temp_reached": None, "outcome": ""}, MISSING, id="not recorded, outcome empty"),
    pytest.param({"target_temp_reached": None, "outcome": "died"}, NOT_ELIGIBLE, id="died before target"),
    pytest.param({"target_temp_reached": at(361), "outcome": "died"}, NOT_MET, id="died after a late target"),
    pytest.param({"target_temp_reached": at(300), "outcome": "died"}, MET, id="died after target in time"),
    pytest.param({"postnatal_collapse_datetime": at(60), "target_temp_reached": at(420)}, MET,
                 id="collapse: 360 from zero"),
    pytest.param({"postnatal_collapse_datetime": at(60), "target_temp_reached": at(421)}, NOT_MET,
                 id="collapse: 361 from zero"),
    pytest.param({"birth_datetime": SPRING_BIRTH, "target_temp_reached": datetime(2024, 3, 31, 7, 30, tzinfo=LONDON)},
                 MET, id="spring night: 360 real min (wall clock 420)"),
    pytest.param({"birth_datetime": SPRING_BIRTH, "target_temp_reached": datetime(2024, 3, 31, 7, 31, tzinfo=LONDON)},
                 NOT_MET, id="spring night: 361 real min"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "target_temp_reached": datetime(2024, 10, 27, 5, 30, tzinfo=LONDON)},
                 MET, id="autumn night: 360 real min"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "target_temp_reached": datetime(2024, 10, 27, 5, 31, tzinfo=LONDON)},
                 NOT_MET, id="autumn night: 361 real min (wall clock 301)"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, times recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
