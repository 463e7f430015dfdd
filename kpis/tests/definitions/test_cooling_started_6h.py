"""cooling_started_6h (kpis.md HIE table): ≤ 360 min from time zero to the earliest cooling start."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import cooling_started_6h as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, NOT_COOLED, SPRING_BIRTH, at, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING


def started(minutes: float) -> dict[str, Any]:
    return {"passive_cooling_start": at(minutes), "active_cooling_start": None}


CASES = [
    pytest.param({}, MET, id="default: passive at 30 min"),
    pytest.param(started(360), MET, id="exactly 360 min"),
    pytest.param(started(360.99), NOT_MET, id="360 min 59 s is over"),
    pytest.param(started(361), NOT_MET, id="361 min"),
    pytest.param({"passive_cooling_start": None, "active_cooling_start": at(360)}, MET, id="active only, 360"),
    pytest.param({"passive_cooling_start": at(400), "active_cooling_start": at(300)}, MET,
                 id="earliest of the two starts counts"),
    pytest.param({"passive_cooling_start": None, "active_cooling_start": None}, MISSING, id="no cooling start"),
    # Time zero = postnatal collapse: 480 min after birth is 360 after a collapse at 120 min.
    pytest.param({"postnatal_collapse_datetime": at(120), **started(480)}, MET, id="collapse: 360 from zero"),
    pytest.param({"postnatal_collapse_datetime": at(120), **started(481)}, NOT_MET, id="collapse: 361 from zero"),
    pytest.param(started(480), NOT_MET, id="same start without collapse: 480 from birth"),
    # Spring forward: 00:30 GMT → 07:30 BST is 360 real minutes but 420 on the wall clock.
    pytest.param({"birth_datetime": SPRING_BIRTH, "passive_cooling_start": datetime(2024, 3, 31, 7, 30, tzinfo=LONDON),
                  "active_cooling_start": None}, MET, id="spring night: 360 real min"),
    pytest.param({"birth_datetime": SPRING_BIRTH, "passive_cooling_start": datetime(2024, 3, 31, 7, 31, tzinfo=LONDON),
                  "active_cooling_start": None}, NOT_MET, id="spring night: 361 real min"),
    # Fall back: 00:30 BST → 05:30 GMT is 360 real minutes but 300 on the wall clock.
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "passive_cooling_start": datetime(2024, 10, 27, 5, 30, tzinfo=LONDON),
                  "active_cooling_start": None}, MET, id="autumn night: 360 real min"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "passive_cooling_start": datetime(2024, 10, 27, 5, 31, tzinfo=LONDON),
                  "active_cooling_start": None}, NOT_MET, id="autumn night: 361 real min (wall clock 301)"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "passive_cooling_start": datetime(2024, 10, 27, 6, 30, tzinfo=LONDON),
                  "active_cooling_start": None}, NOT_MET, id="autumn night: wall clock 360 is 420 real"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, times recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
