"""mri_before_discharge (kpis.md HIE table): alive, discharged TH babies; MRI performed and at or before
discharge."""

from __future__ import annotations

from typing import Any

import pytest

from kpis.definitions import mri_before_discharge as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, NOT_COOLED, at, hours, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
DISCHARGE = hours(12 * 24)  # minutes after birth, the builder's default

CASES = [
    pytest.param({}, MET, id="default: MRI day 7, discharge day 12"),
    pytest.param({"mri_datetime": at(DISCHARGE)}, MET, id="MRI at the moment of discharge"),
    pytest.param({"mri_datetime": at(DISCHARGE + 1)}, NOT_MET, id="MRI a minute after discharge"),
    pytest.param({"mri_performed": "no", "mri_datetime": None}, NOT_MET, id="no MRI"),
    pytest.param({"mri_performed": "unknown", "mri_datetime": None}, MISSING, id="MRI unknown"),
    pytest.param({"mri_performed": "", "mri_datetime": None}, MISSING, id="MRI empty"),
    pytest.param({"mri_datetime": None}, MISSING, id="MRI yes but its time empty"),
    pytest.param({"outcome": "died", "discharge_datetime": None}, NOT_ELIGIBLE, id="died"),
    pytest.param({"outcome": "died"}, NOT_ELIGIBLE, id="died, discharge time recorded"),
    pytest.param({"outcome": "unknown"}, NOT_ELIGIBLE, id="outcome unknown"),
    pytest.param({"outcome": ""}, NOT_ELIGIBLE, id="outcome empty"),
    pytest.param({"discharge_datetime": None}, NOT_ELIGIBLE, id="alive, not yet discharged"),
    pytest.param({"discharge_datetime": None, "mri_performed": ""}, NOT_ELIGIBLE, id="not discharged, MRI empty"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, MRI recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
