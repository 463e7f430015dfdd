"""mri_day5_14 (kpis.md HIE table): 120 h ≤ MRI − birth < 360 h, for TH babies with an MRI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import mri_day5_14 as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, AUTUMN_BIRTH, NOT_COOLED, SPRING_BIRTH, at, hours, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING


def mri_at(minutes: int) -> dict[str, Any]:
    return {"mri_datetime": at(minutes)}


CASES = [
    pytest.param({}, MET, id="default: day 7"),
    pytest.param(mri_at(hours(120)), MET, id="120 h exactly"),
    pytest.param(mri_at(hours(119, 59)), NOT_MET, id="119 h 59"),
    pytest.param(mri_at(hours(359, 59)), MET, id="359 h 59"),
    pytest.param(mri_at(hours(360)), NOT_MET, id="360 h exactly is outside"),
    pytest.param(mri_at(hours(48)), NOT_MET, id="day 2"),
    # Timed from birth, not time zero: 120 h after birth is only 96 h after a collapse at 24 h.
    pytest.param({"postnatal_collapse_datetime": at(hours(24)), **mri_at(hours(120))}, MET,
                 id="collapse does not move the window"),
    # Spring forward: 01:29 BST on 5 Apr is 119 h 59 real after 00:30 GMT on 31 Mar (wall clock 120 h 59).
    pytest.param({"birth_datetime": SPRING_BIRTH, "mri_datetime": datetime(2024, 4, 5, 1, 29, tzinfo=LONDON)},
                 NOT_MET, id="spring: 119h59 real"),
    pytest.param({"birth_datetime": SPRING_BIRTH, "mri_datetime": datetime(2024, 4, 5, 1, 30, tzinfo=LONDON)},
                 MET, id="spring: 120 h real"),
    # Fall back: 23:30 GMT on 10 Nov is 360 h real after 00:30 BST on 27 Oct (wall clock 359 h).
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "mri_datetime": datetime(2024, 11, 10, 23, 30, tzinfo=LONDON)},
                 NOT_MET, id="autumn: 360 h real"),
    pytest.param({"birth_datetime": AUTUMN_BIRTH, "mri_datetime": datetime(2024, 11, 10, 23, 29, tzinfo=LONDON)},
                 MET, id="autumn: 359h59 real"),
    pytest.param({"mri_datetime": None}, MISSING, id="MRI yes, time empty"),
    pytest.param({"mri_performed": "no", "mri_datetime": None}, NOT_ELIGIBLE, id="no MRI"),
    pytest.param({"mri_performed": "unknown", "mri_datetime": None}, NOT_ELIGIBLE, id="MRI unknown"),
    pytest.param({"mri_performed": "", "mri_datetime": None}, NOT_ELIGIBLE, id="MRI empty"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, MRI recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
