"""mnsi_referral (kpis.md HIE table): TH babies ≥ 37+0 weeks, in labour, actively cooled; referred to MNSI."""

from __future__ import annotations

from typing import Any

import pytest

from kpis.definitions import mnsi_referral as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, NOT_COOLED, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING

CASES = [
    pytest.param({}, MET, id="default: 39+2, labour, active cooling, referred"),
    pytest.param({"mnsi_referred": "no"}, NOT_MET, id="not referred"),
    pytest.param({"mnsi_referred": "unknown"}, MISSING, id="referral unknown"),
    pytest.param({"mnsi_referred": ""}, MISSING, id="referral empty"),
    pytest.param({"labour": "unknown"}, MISSING, id="labour unknown"),
    pytest.param({"labour": ""}, MISSING, id="labour empty"),
    pytest.param({"labour": "no"}, NOT_ELIGIBLE, id="no labour"),
    pytest.param({"gestation_weeks": 37, "gestation_days": 0}, MET, id="37+0 is eligible"),
    pytest.param({"gestation_weeks": 36, "gestation_days": 6}, NOT_ELIGIBLE, id="36+6"),
    pytest.param({"active_cooling_start": None}, NOT_ELIGIBLE, id="passive cooling only"),
    # Eligibility that is decided by recorded values beats an unrecorded labour answer.
    pytest.param({"gestation_weeks": 36, "gestation_days": 6, "labour": "unknown"}, NOT_ELIGIBLE,
                 id="36+6 with labour unknown"),
    pytest.param({"active_cooling_start": None, "labour": ""}, NOT_ELIGIBLE, id="no active cooling, labour empty"),
    pytest.param({"labour": "no", "mnsi_referred": ""}, NOT_ELIGIBLE, id="no labour, referral empty"),
    pytest.param(NOT_COOLED, NOT_ELIGIBLE, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, NOT_ELIGIBLE, id="not cooled, active start recorded"),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is expected
