"""controlled_rewarming (kpis.md HIE table): rewarming end − rewarming start ≥ 360 min."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import controlled_rewarming as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, NOT_COOLED, SPRING_BIRTH, at, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
START = 5000  # minutes after birth


def rewarmed_over(minutes: float) -> dict[str, Any]:
    return {"rewarming_start": at(START), "rewarming_end": at(START + minutes)}


CASES = [
    pytest.param({}, MET, id="default: 8 h"),
    pytest.param(rewarmed_over(360), MET, id="exactly 360 min"),
    pytest.param(rewarmed_over(361), MET, id="361 min"),
    pytest.param(rewarmed_over(359), NOT_MET, id="359 min"),
    pytest.param(rewarmed_over(359.5), NOT_MET, id="359.5 min, no rounding up"),
    pytest.param({"rewarming_end": None}, MISSING, id="end empty"),
    pytest.param({"rewarming_start": None, "rewarming_end": None}, NOT_ELIGIBLE, id="no rewarming start"),
    pytest.param({"rewarming_start": None}, NOT_ELIGIBLE, id="end without start"),
    # Rewarming over the clock change, using the clock-change births as start times.
    pytest.param({"rewarming_start": SPRING_BIRTH, "rewarming_end": datetime(2024, 3, 31, 6, 29, tzinfo=LONDON)},
                 NOT_MET, id="spring: 299 real min (wall clock 359)"),
    pytest.param({"rewarming_start": SPRING_BIRTH, "rewarming_end": datetime(2024, 3, 31, 7, 30, tzinfo=LONDON)},
                 MET, id="spring: 360 real min"),
    pytest.param({"rewarming_start": SPRING_BIRTH, "rewarming_end": datetime(2024, 3, 31, 7, 31, tzinfo=LONDON)},
                 MET, id="spring: 361 real min"),
    pytest.param({"rewarming_start": SPRING_BIRTH, "rewarming_end": datetime(2024, 3, 31, 6, 30, tzinfo=LONDON)},
                 NOT_MET, id="spring: wall clock 360 is 300 real min"),
    pytest.param({"rewarming_start": AUTUMN_BIRTH, "rewarming_end": datetime(2024, 10, 27, 5, 30, tzinfo=LONDON)},
                 MET, id="autumn: 360 real min (wall clock 300)"),
    pytest.param({"rewarming_start": AUTUMN_BIRTH, "rewarming_end": datetime(2024, 10, 27, 5, 29, tzinfo=LONDON)},
                 NOT_MET, id="autumn: 359 real min"),
    pytest.param({"rewarming_start": AUTUMN_BIRTH, "rewarming_end": datetime(2024, 10, 27, 5, 31, tzinfo=LONDON)},
                 MET, id="autumn: 361 real min (wall clock 301)"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, times recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
