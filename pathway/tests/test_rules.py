"""Cross-field rules of the dataset (dataset.md "Columns", hard errors, and "Soft warnings").

Every rule is checked both ways: broken gives exactly that violation, with the field's label in the
message; kept (including the boundary) gives none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.testing.factories import cooled_case_values
from core.timeutil import LONDON, parse_local_datetime
from pathway import rules
from units.models import Unit

pytestmark = pytest.mark.usefixtures("network")

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)


def at(minutes: float) -> datetime:
    return BIRTH + timedelta(minutes=minutes)


def values(**overrides: Any) -> dict[str, Any]:
    return cooled_case_values(birth=BIRTH, **overrides)


JOURNEY_TIMES = {"encephalopathy_exam_datetime": 60, "transport_team_mobilised_datetime": 95,
                 "transport_team_arrived_datetime": 140, "mri2_datetime": 10 * 24 * 60}


def journey_values(*fields: str) -> dict[str, Any]:
    """With the v2 times among `fields` too, so an ordering rule of the journey has both ends."""
    return values(**{f: at(JOURNEY_TIMES[f]) for f in fields if f in JOURNEY_TIMES})


def broken(found: list[rules.Violation]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in found}


def test_the_factory_case_breaks_no_rule_and_raises_no_flag() -> None:
    case = values()
    assert rules.hard_violations(case) == []
    assert rules.soft_flags(case) == []


# --- Required fields -------------------------------------------------------------------------------

REQUIRED_LABELS = {
    "case_ref": "case reference",
    "birth_datetime": "date and time of birth",
    "sex": "sex",
    "gestation_weeks": "gestation (completed weeks)",
    "gestation_days": "gestation (days)",
    "birth_weight_g": "birth weight (g)",
    "birth_unit": "birth unit",
    "therapeutic_hypothermia": "therapeutic hypothermia",
}


def test_the_required_fields_are_the_datasets() -> None:
    assert set(rules.REQUIRED) == set(REQUIRED_LABELS)


@pytest.mark.parametrize("empty", [None, ""])
@pytest.mark.parametrize(("field", "label"), REQUIRED_LABELS.items())
def test_each_required_field_missing(field: str, label: str, empty: object) -> None:
    case = values()
    case[field] = empty
    if field == "therapeutic_hypothermia":
        case["cooling_centre"] = None  # so only the missing field is wrong
    found = rules.hard_violations(case)
    assert broken(found) == {(field, "required")}
    assert label in found[0].message


@pytest.mark.parametrize("field", ["gestation_weeks", "gestation_days"])
def test_zero_is_a_value_not_a_missing_field(field: str) -> None:
    assert rules.hard_violations(values(**{field: 0})) == []


# --- Conditional requirements ------------------------------------------------------------------------

CONDITIONAL = [
    # (condition field, value that requires, value that does not, required field, its label)
    ("therapeutic_hypothermia", "yes", "no", "cooling_centre", "cooling centre"),
    ("mri_performed", "yes", "no", "mri_datetime", "time of first brain MRI"),
    ("outcome", "died", "alive", "death_datetime", "time of death"),
    ("followup_2y", "completed", "not_done", "followup_2y_date", "date of 2-year follow-up"),
]


@pytest.mark.parametrize(("cond", "requiring", "not_requiring", "field", "label"), CONDITIONAL)
def test_conditional_requirement(cond: str, requiring: str, not_requiring: str, field: str, label: str) -> None:
    found = rules.hard_violations(values(**{cond: requiring, field: None}))
    assert broken(found) == {(field, f"required_when.{cond}")}
    assert label in found[0].message
    # The answer as the screens show it ("Died"), never the code.
    assert f"'{rules.choice_label(cond, requiring)}'" in found[0].message

    assert rules.hard_violations(values(**{cond: not_requiring, field: None})) == []
    unset = rules.hard_violations(values(**{cond: "", field: None}))
    assert [v for v in unset if v.field == field] == []


def test_conditionally_required_values_given() -> None:
    case = values(outcome="died", death_datetime=at(3000), discharge_datetime=None,
                  followup_2y="completed", followup_2y_date=datetime(2026, 5, 20).date())
    assert rules.hard_violations(case) == []


# --- Birth not in the future -------------------------------------------------------------------------


def test_birth_in_the_future_is_refused() -> None:
    found = rules.hard_violations(cooled_case_values(birth=timezone.now() + timedelta(minutes=5)))
    assert broken(found) == {("birth_datetime", "not_future")}
    assert "date and time of birth" in found[0].message


def test_birth_just_now_is_accepted() -> None:
    assert rules.hard_violations(cooled_case_values(birth=timezone.now() - timedelta(minutes=1))) == []


# --- Ordering ---------------------------------------------------------------------------------------

ORDER = [
    # (later, earlier, strict, later's label, earlier's label)
    ("postnatal_collapse_datetime", "birth_datetime", False, "postnatal collapse", "date and time of birth"),
    ("referral_datetime", "birth_datetime", False, "time of referral call", "date and time of birth"),
    ("passive_cooling_start", "birth_datetime", False, "passive cooling start", "date and time of birth"),
    ("active_cooling_start", "birth_datetime", False, "active cooling start", "date and time of birth"),
    ("core_monitoring_start", "birth_datetime", False, "continuous core monitoring start",
     "date and time of birth"),
    ("depart_referring_datetime", "referral_datetime", False, "time of leaving the referring unit",
     "time of referral call"),
    ("arrive_centre_datetime", "depart_referring_datetime", False, "time of arrival at the cooling centre",
     "time of leaving the referring unit"),
    ("rewarming_start", "target_temp_reached", False, "time rewarming started",
     "time target temperature (33.0–34.0 °C) reached"),
    ("rewarming_end", "rewarming_start", False, "time rewarming ended", "time rewarming started"),
    ("mri_datetime", "birth_datetime", True, "time of first brain MRI", "date and time of birth"),
    ("death_datetime", "birth_datetime", False, "time of death", "date and time of birth"),
    ("discharge_datetime", "birth_datetime", False, "time of discharge", "date and time of birth"),
    # v2
    ("encephalopathy_exam_datetime", "birth_datetime", False, "encephalopathy examination",
     "date and time of birth"),
    ("transport_team_mobilised_datetime", "referral_datetime", False, "transport team mobilised",
     "time of referral call"),
    ("transport_team_arrived_datetime", "transport_team_mobilised_datetime", False,
     "transport team at the bedside", "transport team mobilised"),
    ("depart_referring_datetime", "transport_team_arrived_datetime", False, "time of leaving the referring unit",
     "transport team at the bedside"),
    ("mri2_datetime", "mri_datetime", True, "second brain MRI", "first brain MRI"),
]


def test_every_ordering_rule_is_in_this_table() -> None:
    assert set(rules.ORDER_RULES) == {(later, earlier, strict) for later, earlier, strict, *_ in ORDER}


@pytest.mark.parametrize(("later", "earlier", "strict", "later_label", "earlier_label"), ORDER)
def test_ordering_broken_by_a_minute(later: str, earlier: str, strict: bool, later_label: str,
                                     earlier_label: str) -> None:
    case = journey_values(later, earlier)
    case[later] = case[earlier] - timedelta(minutes=1)
    found = rules.hard_violations(case)
    assert broken(found) == {(later, f"order.{later}")}
    assert later_label in found[0].message
    assert earlier_label in found[0].message
    # The times are shown in UK local time.
    assert f"{case[later].astimezone(LONDON):%d/%m/%Y %H:%M}" in found[0].message


@pytest.mark.parametrize(("later", "earlier", "strict", "later_label", "earlier_label"), ORDER)
def test_ordering_at_the_same_minute(later: str, earlier: str, strict: bool, later_label: str,
                                     earlier_label: str) -> None:
    case = journey_values(later, earlier)
    case[later] = case[earlier]
    found = rules.hard_violations(case)
    if strict:  # only the MRI must be strictly after birth
        assert broken(found) == {(later, f"order.{later}")}
        assert "must be after" in found[0].message
    else:
        assert found == []


@pytest.mark.parametrize(("later", "earlier", "strict", "later_label", "earlier_label"), ORDER)
def test_ordering_a_minute_later_is_fine(later: str, earlier: str, strict: bool, later_label: str,
                                         earlier_label: str) -> None:
    case = journey_values(later, earlier)
    case[later] = case[earlier] + timedelta(minutes=1)
    assert rules.hard_violations(case) == []


@pytest.mark.parametrize("later", [later for later, *_ in ORDER])
def test_ordering_skips_an_empty_field(later: str) -> None:
    case = values(**{later: None})
    assert not [v for v in rules.hard_violations(case) if v.rule.startswith("order.")]


def test_ordering_uses_instants_in_the_repeated_autumn_hour() -> None:
    # Both in Europe/London (as timezone.localtime gives them): 01:40 BST is 30 minutes *before* 01:10 GMT.
    first_0140 = datetime(2024, 10, 27, 0, 40, tzinfo=UTC).astimezone(LONDON)
    second_0110 = datetime(2024, 10, 27, 1, 10, tzinfo=UTC).astimezone(LONDON)
    birth = datetime(2024, 10, 27, 0, 5, tzinfo=UTC).astimezone(LONDON)
    base: dict[str, Any] = dict(birth=birth, passive_cooling_start=None, active_cooling_start=None,
                                target_temp_reached=None, rewarming_start=None, rewarming_end=None,
                                arrive_centre_datetime=None)
    ok = cooled_case_values(**base, referral_datetime=first_0140, depart_referring_datetime=second_0110)
    assert rules.hard_violations(ok) == []
    wrong = cooled_case_values(**base, referral_datetime=second_0110, depart_referring_datetime=first_0140)
    assert broken(rules.hard_violations(wrong)) == {("depart_referring_datetime", "order.depart_referring_datetime")}


# --- Target temperature after the earliest cooling start ---------------------------------------------


@pytest.mark.parametrize(
    ("passive", "active", "target", "violated"),
    [
        (30, 200, 29, True),  # before the passive start, the earliest
        (30, 200, 30, False),  # at the earliest start
        (30, 200, 100, False),  # before active but after passive: fine
        (None, 200, 199, True),
        (None, 200, 200, False),
        (200, 30, 29, True),  # active first
        (None, None, 10, False),  # no cooling start to compare with
    ],
)
def test_target_temperature_not_before_the_earliest_cooling_start(passive: int | None, active: int | None,
                                                                  target: int, violated: bool) -> None:
    case = values(passive_cooling_start=None if passive is None else at(passive),
                  active_cooling_start=None if active is None else at(active), target_temp_reached=at(target))
    found = rules.hard_violations(case)
    if violated:
        assert broken(found) == {("target_temp_reached", "order.target_temp_reached")}
        assert "time target temperature (33.0–34.0 °C) reached" in found[0].message
        assert "earliest cooling start" in found[0].message
    else:
        assert found == []


# --- Cooling centre flag ------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "violated"), [("RWG02", True), ("RGT-PANDR", True), ("RGT01", False),
                                                ("RM102", False), ("RC971", False)])
def test_cooling_centre_must_be_flagged_as_one(code: str, violated: bool) -> None:
    found = rules.hard_violations(values(cooling_centre=Unit.objects.get(ods_code=code)))
    if violated:
        assert broken(found) == {("cooling_centre", "cooling_centre_flag")}
        assert code in found[0].message
        assert "not a cooling centre" in found[0].message
    else:
        assert found == []


# --- All at once --------------------------------------------------------------------------------------


def test_hard_violations_reports_every_broken_rule_at_once() -> None:
    case = values(case_ref="", sex=None, mri_performed="yes", mri_datetime=None,
                  rewarming_end=at(230 + 71 * 60), target_temp_reached=at(10),
                  cooling_centre=Unit.objects.get(ods_code="RWG02"), discharge_datetime=at(-5))
    case["birth_unit"] = None
    assert broken(rules.hard_violations(case)) == {
        ("case_ref", "required"),
        ("sex", "required"),
        ("birth_unit", "required"),
        ("mri_datetime", "required_when.mri_performed"),
        ("rewarming_end", "order.rewarming_end"),
        ("target_temp_reached", "order.target_temp_reached"),
        ("cooling_centre", "cooling_centre_flag"),
        ("discharge_datetime", "order.discharge_datetime"),
    }


# --- Soft flags -------------------------------------------------------------------------------------


def cooled_from(start: float, *, collapse: float | None = None, **overrides: Any) -> dict[str, Any]:
    """A cooled case whose earliest cooling start is `start` minutes after birth, 72 h at target."""
    times = dict(postnatal_collapse_datetime=None if collapse is None else at(collapse),
                 passive_cooling_start=None, active_cooling_start=at(start), target_temp_reached=at(start + 30),
                 rewarming_start=at(start + 30 + 72 * 60), rewarming_end=at(start + 30 + 80 * 60),
                 core_monitoring_start=at(start), referral_datetime=at(start), depart_referring_datetime=at(start),
                 arrive_centre_datetime=at(start + 10))
    return values(**{**times, **overrides})


@pytest.mark.parametrize(
    ("start", "collapse", "flagged"),
    [
        (359, None, False),
        (360, None, False),  # exactly 6 h: within the standard
        (361, None, True),
        (360.5, None, True),
        (420, 60, False),  # time zero is the postnatal collapse: 6 h after it
        (421, 60, True),
        (361, 1, False),
    ],
)
def test_cooling_more_than_six_hours_after_time_zero(start: float, collapse: float | None, flagged: bool) -> None:
    case = cooled_from(start, collapse=collapse)
    assert rules.hard_violations(case) == []
    assert ("cooling_after_6h" in rules.soft_flags(case)) is flagged


def test_cooling_start_is_the_earlier_of_passive_and_active() -> None:
    case = cooled_from(400, passive_cooling_start=at(100))
    assert "cooling_after_6h" not in rules.soft_flags(case)


@pytest.mark.parametrize(
    ("start", "flagged"),
    [
        ("2024-03-31T06:00", False),  # 00:00 GMT → 06:00 BST is 5 h
        ("2024-03-31T07:00", False),  # exactly 6 h, though 7 h on the wall clock
        ("2024-03-31T07:01", True),
    ],
)
def test_six_hours_counted_in_real_time_across_the_spring_change(start: str, flagged: bool) -> None:
    birth = parse_local_datetime("2024-03-31T00:00")
    cooling = parse_local_datetime(start)
    case = cooled_case_values(birth=birth, passive_cooling_start=None, active_cooling_start=cooling,
                              target_temp_reached=None, rewarming_start=None, rewarming_end=None)
    assert ("cooling_after_6h" in rules.soft_flags(case)) is flagged


@pytest.mark.parametrize(("weeks", "days", "flagged"), [(35, 6, True), (36, 0, False), (34, 0, True),
                                                        (41, 6, False)])
def test_preterm_cooled(weeks: int, days: int, flagged: bool) -> None:
    case = values(gestation_weeks=weeks, gestation_days=days)
    assert rules.soft_flags(case) == (["preterm_cooled"] if flagged else [])


@pytest.mark.parametrize(("grade", "flagged"), [(0, True), (1, True), (2, False), (3, False), (None, False)])
def test_mild_or_no_hie_cooled(grade: int | None, flagged: bool) -> None:
    assert rules.soft_flags(values(hie_grade=grade)) == (["mild_or_no_hie_cooled"] if flagged else [])


@pytest.mark.parametrize(
    ("minutes", "early_stop", "flagged"),
    [
        (70 * 60, "", False),
        (74 * 60, "", False),
        (72 * 60, "", False),
        (70 * 60 - 1, "", True),  # 69 h 59
        (74 * 60 + 1, "", True),  # 74 h 01
        (48 * 60, "", True),
        (80 * 60, "", True),
        (48 * 60, "died", False),
        (30 * 60, "redirection_of_care", False),
        (69 * 60, "clinical_decision", False),
    ],
)
def test_cooling_duration_outside_70_to_74_hours(minutes: int, early_stop: str, flagged: bool) -> None:
    case = values(target_temp_reached=at(230), rewarming_start=at(230 + minutes),
                  rewarming_end=at(230 + minutes + 8 * 60), early_stop_reason=early_stop)
    assert rules.soft_flags(case) == (["cooling_duration"] if flagged else [])


def test_cooling_duration_counted_in_real_time_across_the_autumn_change() -> None:
    # 10:00 BST on 24 October to 11:30 GMT on 27 October: 73 h 30 on the wall clock, 74 h 30 lived.
    target = parse_local_datetime("2024-10-24T10:00")
    rewarm = parse_local_datetime("2024-10-27T11:30")
    case = cooled_case_values(birth=parse_local_datetime("2024-10-24T06:00"), target_temp_reached=target,
                              rewarming_start=rewarm, rewarming_end=rewarm + timedelta(hours=8))
    assert rules.soft_flags(case) == ["cooling_duration"]


def test_no_duration_flag_without_both_ends() -> None:
    assert rules.soft_flags(values(rewarming_start=None, rewarming_end=None)) == []


def test_every_flag_together() -> None:
    case = cooled_from(500, gestation_weeks=35, hie_grade=1, rewarming_start=at(530 + 60 * 60))
    assert set(rules.soft_flags(case)) == {"cooling_after_6h", "preterm_cooled", "mild_or_no_hie_cooled",
                                           "cooling_duration"}
    journey = {"cool_advised_not_cooled", "mri_without_dwi", "followup_after_30_months"}  # v2: test_rules_v2
    assert set(rules.SOFT_MESSAGES) == set(rules.soft_flags(case)) | journey


@pytest.mark.parametrize("cooled", ["no", "", None])
def test_not_cooled_raises_no_flag(cooled: str | None) -> None:
    case = cooled_from(500, gestation_weeks=35, hie_grade=0, rewarming_start=at(530 + 60 * 60),
                       therapeutic_hypothermia=cooled)
    assert rules.soft_flags(case) == []
