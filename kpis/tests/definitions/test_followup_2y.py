"""followup_2y (kpis.md HIE table): alive TH babies born ≥ 30 calendar months before the run date
(Europe/London birth date), except those who moved out; follow-up completed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import followup_2y as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import NOT_COOLED, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING

BORN = datetime(2021, 6, 15, 10, 0, tzinfo=LONDON)
OLD_ENOUGH = date(2024, 1, 1)  # 30 months 17 days


def followed(answer: str, **more: Any) -> dict[str, Any]:
    return {"birth_datetime": BORN, "followup_2y": answer, **more}


CASES = [
    pytest.param(followed("completed"), OLD_ENOUGH, MET, id="completed"),
    pytest.param(followed("not_done"), OLD_ENOUGH, NOT_MET, id="not done"),
    pytest.param(followed("unknown"), OLD_ENOUGH, MISSING, id="unknown"),
    pytest.param(followed(""), OLD_ENOUGH, MISSING, id="empty"),
    pytest.param(followed("moved_out"), OLD_ENOUGH, NOT_ELIGIBLE, id="moved out"),
    pytest.param(followed("", outcome="died"), OLD_ENOUGH, NOT_ELIGIBLE, id="died"),
    pytest.param(followed("", outcome="unknown"), OLD_ENOUGH, NOT_ELIGIBLE, id="outcome unknown"),
    pytest.param(followed("", outcome=""), OLD_ENOUGH, NOT_ELIGIBLE, id="outcome empty"),
    pytest.param(followed(""), date(2023, 12, 14), NOT_ELIGIBLE, id="30 months less a day"),
    pytest.param(followed(""), date(2023, 12, 15), MISSING, id="30 months to the day"),
    pytest.param(followed("completed"), date(2023, 12, 14), NOT_ELIGIBLE, id="too young even if completed"),
    # London date of birth 1 Oct 2021 (00:30 BST = 23:30 UTC on 30 Sep). On 31 Mar 2024 the baby is 29 full
    # months old; reading the UTC date (30 Sep) would wrongly make it 30.
    pytest.param({"birth_datetime": datetime(2021, 10, 1, 0, 30, tzinfo=LONDON), "followup_2y": "completed"},
                 date(2024, 3, 31), NOT_ELIGIBLE, id="London birth date, not UTC: 29 months"),
    pytest.param({"birth_datetime": datetime(2021, 10, 1, 0, 30, tzinfo=LONDON), "followup_2y": "completed"},
                 date(2024, 4, 1), MET, id="London birth date: 30 months on 1 Apr"),
    # Born on the 31st: there is no 31 Feb 2024, so the 30th month completes on 1 Mar.
    pytest.param({"birth_datetime": datetime(2021, 8, 31, 12, 0, tzinfo=LONDON), "followup_2y": "completed"},
                 date(2024, 2, 29), NOT_ELIGIBLE, id="born 31 Aug: not yet on 29 Feb"),
    pytest.param({"birth_datetime": datetime(2021, 8, 31, 12, 0, tzinfo=LONDON), "followup_2y": "completed"},
                 date(2024, 3, 1), MET, id="born 31 Aug: eligible on 1 Mar"),
    pytest.param({**NOT_COOLED, **followed("completed")}, OLD_ENOUGH, NOT_ELIGIBLE, id="not cooled"),
]


@pytest.mark.parametrize(("overrides", "as_of", "expected"), CASES)
def test_outcome(overrides: dict[str, Any], as_of: date, expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), as_of) is expected


@pytest.mark.parametrize(("born", "on", "months"), [
    (date(2021, 6, 15), date(2023, 12, 14), 29),
    (date(2021, 6, 15), date(2023, 12, 15), 30),
    (date(2021, 8, 31), date(2024, 2, 29), 29),
    (date(2021, 8, 31), date(2024, 3, 1), 30),
    (date(2021, 2, 28), date(2023, 8, 28), 30),
    (date(2024, 5, 14), date(2024, 5, 14), 0),
])
def test_completed_months(born: date, on: date, months: int) -> None:
    assert kpi.completed_months(born, on) == months
