"""cooled_outside_criteria (kpis.md HIE table): met when gestation < 36+0, or HIE grade ≤ 1, or cooling
started > 360 min after time zero; missing when the grade is empty and the other two are not met."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import cooled_outside_criteria as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, NOT_COOLED, SPRING_BIRTH, at, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING


def started(minutes: float) -> dict[str, Any]:
    return {"passive_cooling_start": at(minutes), "active_cooling_start": None}


CASES = [
    pytest.param({}, NOT_MET, id="default: 39+2, grade 2, started at 30 min"),
    pytest.param({"gestation_weeks": 35, "gestation_days": 6}, MET, id="35+6"),
    pytest.param({"gestation_weeks": 36, "gestation_days": 0}, NOT_MET, id="36+0"),
    pytest.param({"hie_grade": 0}, MET, id="grade 0"),
    pytest.param({"hie_grade": 1}, MET, id="grade 1"),
    pytest.param({"hie_grade": 3}, NOT_MET, id="grade 3"),
    pytest.param(started(361), MET, id="started at 361 min"),
    pytest.param(started(360), NOT_MET, id="started at 360 min"),
    pytest.param({"hie_grade": None}, MISSING, id="grade empty, other two not met"),
    pytest.param({"hie_grade": None, "gestation_weeks": 35}, MET, id="grade empty, preterm"),
    pytest.param({"hie_grade": None, **started(361)}, MET, id="grade empty, late start"),
    pytest.param({"passive_cooling_start": None, "active_cooling_start": None}, NOT_MET,
                 id="no cooling start, grade 2: start criterion not met"),
    pytest.param({"passive_cooling_start": None, "active_cooling_start": None, "hie_grade": None}, MISSING,
                 id="no cooling start, grade empty"),
    pytest.param({"postnatal_collapse_datetime": at(60), **started(420)}, NOT_MET, id="collapse: 360 from zero"),
    pytest.param({"postnatal_collapse_datetime": at(60), **started(421)}, MET, id="collapse: 361 from zero"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "passive_cooling_start": datetime(2024, 10, 27, 5, 31, tzinfo=LONDON),
                  "active_cooling_start": None}, MET, id="autumn night: 361 real min (wall clock 301)"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "passive_cooling_start": datetime(2024, 10, 27, 5, 30, tzinfo=LONDON),
                  "active_cooling_start": None}, NOT_MET, id="autumn night: 360 real min (wall clock 300)"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "passive_cooling_start": datetime(2024, 10, 27, 6, 30, tzinfo=LONDON),
                  "active_cooling_start": None}, MET, id="autumn night: wall clock 360 is 420 real"),
    # Spring forward: 00:30 GMT → 07:30 BST is 360 real minutes but 420 on the wall clock.
    pytest.param({"birth_datetime": SPRING_BIRTH, "passive_cooling_start": datetime(2024, 3, 31, 7, 30, tzinfo=LONDON),
                  "active_cooling_start": None}, NOT_MET, id="spring night: 360 real min (wall clock 420)"),
    pytest.param({"birth_datetime": SPRING_BIRTH, "passive_cooling_start": datetime(2024, 3, 31, 7, 31, tzinfo=LONDON),
                  "active_cooling_start": None}, MET, id="spring night: 361 real min"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({**NOT_COOLED, "hie_grade": 1, "gestation_weeks": 34}, NOT_ELIGIBLE,
                 id="not cooled, would be outside criteria"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
