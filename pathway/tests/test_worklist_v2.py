"""The worklist's v2 kinds (issue 14): MRI without a structured report, a completed 2-year follow-up with
outcome items missing, and a referral without a decision (overdue more than 24 h after the call, on instants
across clock changes). Pure: cases in memory, `as_of` passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core.timeutil import LONDON
from pathway.models import Case
from pathway.tests.test_timeline import make_case
from pathway.worklist import Item, Kind, followup_items_missing, items_for

LATE = datetime(2025, 1, 1, tzinfo=UTC)


def of_kind(case: Case, kind: Kind, as_of: datetime = LATE) -> Item | None:
    found = [item for item in items_for([case], as_of) if item.kind == kind]
    assert len(found) <= 1
    return found[0] if found else None


REPORTED: dict[str, Any] = {"mri_injury_pattern": "normal", "mri_score_system": "nichd_nrn"}


@pytest.mark.parametrize(("overrides", "expected"), [
    pytest.param(REPORTED, None, id="pattern and system: nothing to do"),
    pytest.param({**REPORTED, "mri_score_system": "other"}, None, id="another named system"),
    pytest.param({}, "injury pattern and scoring system missing", id="nothing reported"),
    pytest.param({**REPORTED, "mri_score_system": "none"}, "scoring system missing", id="system none"),
    pytest.param({**REPORTED, "mri_injury_pattern": ""}, "injury pattern missing", id="no pattern"),
    pytest.param({"mri_performed": "no", "mri_datetime": None}, None, id="no scan"),
    pytest.param({"mri_performed": "unknown", "mri_datetime": None}, None, id="scan unknown"),
])
def test_mri_without_structured_report(overrides: dict[str, Any], expected: str | None) -> None:
    item = of_kind(make_case(**overrides), Kind.MRI_REPORT)
    if expected is None:
        assert item is None
        return
    assert item is not None
    assert item.what.endswith(expected)
    assert (item.due, item.overdue) == (None, False)


WELL: dict[str, Any] = {"followup_2y": "completed", "followup_2y_date": date(2026, 6, 1),
                        "followup_corrected_age_months": 24, "bayley_version": "iii", "bayley_cognitive": 100,
                        "bayley_language": 95, "bayley_motor": 90, "cerebral_palsy": "none", "vision": "normal",
                        "hearing": "normal", "epilepsy": "no"}


@pytest.mark.parametrize(("overrides", "missing"), [
    pytest.param({}, [], id="complete"),
    pytest.param({"bayley_motor": None}, ["Bayley motor composite"], id="one composite"),
    pytest.param({"bayley_version": "not_done", "bayley_cognitive": None, "bayley_language": None,
                  "bayley_motor": None}, [], id="Bayley not done needs no composites"),
    pytest.param({"bayley_version": "", "bayley_cognitive": None, "bayley_language": None, "bayley_motor": None},
                 ["Bayley version"], id="Bayley not recorded"),
    pytest.param({"cerebral_palsy": "bilateral_spastic"}, ["GMFCS level"], id="CP type without GMFCS"),
    pytest.param({"cerebral_palsy": "bilateral_spastic", "gmfcs_level": 2}, [], id="CP with GMFCS"),
    pytest.param({"vision": "unknown", "hearing": "", "epilepsy": "unknown"}, ["vision", "hearing", "epilepsy"],
                 id="unknown counts as missing"),
    pytest.param({"followup_corrected_age_months": None}, ["corrected age"], id="no corrected age"),
])
def test_follow_up_items_missing(overrides: dict[str, Any], missing: list[str]) -> None:
    case = make_case(**{**WELL, **overrides})
    assert followup_items_missing(case) == missing
    item = of_kind(case, Kind.FOLLOW_UP_ITEMS)
    if not missing:
        assert item is None
        return
    assert item is not None
    assert item.what == f"2-year follow-up done on 01/06/2026; missing: {', '.join(missing)}"


def test_follow_up_not_completed_is_not_this_kind() -> None:
    assert of_kind(make_case(**{**WELL, "followup_2y": "not_done", "bayley_version": ""}), Kind.FOLLOW_UP_ITEMS) is None


# Spring night: the call at 00:30 GMT on 31 Mar 2024; 24 real hours later is 01:30 BST on 1 Apr.
SPRING_CALL = datetime(2024, 3, 31, 0, 30, tzinfo=LONDON)
# Autumn night: the call at 01:30 BST (first) on 27 Oct 2024; 24 real hours later is 00:30 GMT on 28 Oct.
AUTUMN_CALL = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)


@pytest.mark.parametrize(("call", "as_of", "overdue"), [
    pytest.param(SPRING_CALL, datetime(2024, 4, 1, 1, 30, tzinfo=LONDON), False, id="spring: exactly 24 h"),
    pytest.param(SPRING_CALL, datetime(2024, 4, 1, 1, 31, tzinfo=LONDON), True, id="spring: 24 h and a minute"),
    pytest.param(SPRING_CALL, datetime(2024, 4, 1, 0, 45, tzinfo=LONDON), False,
                 id="spring: 00:45 next day on the wall clock is only 23 h 15 min"),
    pytest.param(AUTUMN_CALL, datetime(2024, 10, 28, 0, 30, tzinfo=LONDON), False, id="autumn: exactly 24 h"),
    pytest.param(AUTUMN_CALL, datetime(2024, 10, 28, 1, 0, tzinfo=LONDON), True,
                 id="autumn: 01:00 next day is 24 h 30 min"),
])
def test_referral_without_decision_is_overdue_after_24_real_hours(call: datetime, as_of: datetime,
                                                                  overdue: bool) -> None:
    case = make_case(birth=call - timedelta(minutes=80), referral_datetime=call, referral_decision="")
    item = of_kind(case, Kind.REFERRAL_DECISION, as_of)
    assert item is not None
    assert item.overdue is overdue
    assert item.due == call.date()


def test_referral_with_a_decision_or_no_call_is_not_listed() -> None:
    assert of_kind(make_case(referral_decision="cool"), Kind.REFERRAL_DECISION) is None
    assert of_kind(make_case(referral_datetime=None, referral_decision=""), Kind.REFERRAL_DECISION) is None
    item = of_kind(make_case(referral_decision=""), Kind.REFERRAL_DECISION)
    assert item is not None and item.what.startswith("Referral call of 14/05/2024 ")
