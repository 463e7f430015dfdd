"""Which expected fields are missing for a case, by stage and as-of time (pure, cases in memory)."""

from __future__ import annotations

from datetime import datetime

import pytest

from pathway.completeness import missing_fields
from pathway.models import Case
from pathway.tests.test_timeline import ADDENBROOKES, after, make_case

OUTBORN_TRANSFER = ["core_monitoring_start", "depart_referring_datetime", "arrive_centre_datetime",
                    "lowest_temp_before_arrival_c", "arrival_temp_c", "transport_cooling"]


def fields(case: Case, as_of: datetime) -> list[str]:
    return [m.field for m in missing_fields(case, as_of)]


def just_referred(**overrides: object) -> Case:
    """An outborn cooled baby with only the birth details entered."""
    empty: dict[str, object] = {
        name: None for name in (
            "referral_datetime", "passive_cooling_start", "core_monitoring_start", "depart_referring_datetime",
            "active_cooling_start", "target_temp_reached", "arrive_centre_datetime",
            "parent_consultation_datetime", "rewarming_start", "rewarming_end", "mri_datetime",
            "discharge_datetime", "hie_grade", "lowest_temp_before_arrival_c", "arrival_temp_c")}
    empty.update({name: "" for name in ("transport_cooling", "placenta_sent", "mri_performed", "mnsi_referred",
                                        "outcome", "family_booklet_given")})
    empty.update(overrides)
    return make_case(**empty)  # type: ignore[arg-type]


def test_a_complete_discharged_case_misses_nothing() -> None:
    case = make_case()
    assert missing_fields(case, after(case, 365 * 24 * 60)) == []


def test_entered_in_error_case_misses_nothing() -> None:
    case = just_referred(entered_in_error=True)
    assert missing_fields(case, after(case, 365 * 24 * 60)) == []


def test_first_hour_of_an_outborn_cooled_baby() -> None:
    case = just_referred()
    assert fields(case, after(case, 60)) == ["hie_grade", "referral_datetime", "cooling_start",
                                             *OUTBORN_TRANSFER, "placenta_sent"]
    missing = {m.field: m for m in missing_fields(case, after(case, 60))}
    assert missing["hie_grade"].label == "HIE grade"
    assert missing["cooling_start"].label == "Cooling start (passive or active)"
    assert missing["referral_datetime"].label == "Time of referral call"
    assert "outborn" in missing["referral_datetime"].why


def test_inborn_baby_needs_no_referral_or_transfer_fields() -> None:
    case = just_referred(birth_unit=ADDENBROOKES, hie_grade=3, passive_cooling_start=20, placenta_sent="yes")
    assert fields(case, after(case, 60)) == []


@pytest.mark.parametrize(("minutes", "expected"), [(360, False), (361, True)])
def test_target_temperature_is_expected_after_six_hours(minutes: int, expected: bool) -> None:
    case = make_case(target_temp_reached=None, rewarming_start=None, rewarming_end=None, mri_datetime=None,
                     mri_performed="", discharge_datetime=None, outcome="")
    assert ("target_temp_reached" in fields(case, after(case, minutes))) is expected


def test_target_temperature_counts_from_postnatal_collapse() -> None:
    case = make_case(postnatal_collapse_datetime=120, target_temp_reached=None, rewarming_start=None,
                     rewarming_end=None, mri_datetime=None, mri_performed="", discharge_datetime=None, outcome="")
    assert "target_temp_reached" not in fields(case, after(case, 480))
    assert "target_temp_reached" in fields(case, after(case, 481))


def test_target_temperature_not_expected_of_a_baby_who_died() -> None:
    case = make_case(target_temp_reached=None, rewarming_start=None, rewarming_end=None, mri_datetime=None,
                     mri_performed="", discharge_datetime=None, outcome="died", death_datetime=300)
    assert "target_temp_reached" not in fields(case, after(case, 24 * 60))


def cooling(**overrides: object) -> Case:
    values: dict[str, object] = {"rewarming_start": None, "rewarming_end": None, "mri_datetime": None,
                                 "mri_performed": "", "discharge_datetime": None, "outcome": ""}
    values.update(overrides)
    return make_case(**values)  # type: ignore[arg-type]


def test_rewarming_is_expected_80_hours_after_target() -> None:
    case = cooling()  # target at 230 min
    assert fields(case, after(case, 230 + 80 * 60 - 1)) == []
    assert fields(case, after(case, 230 + 80 * 60)) == ["rewarming_start", "rewarming_end"]


def test_rewarming_anchor_is_cooling_start_when_target_is_missing() -> None:
    case = cooling(target_temp_reached=None)  # passive cooling from 30 min
    assert fields(case, after(case, 30 + 80 * 60)) == ["target_temp_reached", "rewarming_start", "rewarming_end"]


def test_rewarming_not_expected_after_an_early_stop_or_death() -> None:
    stopped = cooling(early_stop_reason="redirection_of_care")
    assert fields(stopped, after(stopped, 100 * 60)) == []
    died = cooling(outcome="died", death_datetime=50 * 60)
    assert fields(died, after(died, 100 * 60)) == []


def test_rewarming_end_expected_12_hours_after_rewarming_start() -> None:
    case = cooling(rewarming_start=230 + 30 * 60, early_stop_reason="clinical_decision")
    assert fields(case, after(case, 230 + 42 * 60 - 1)) == []
    assert fields(case, after(case, 230 + 42 * 60)) == ["rewarming_end"]


def test_parent_consultation_expected_24_hours_after_arrival_for_outborn() -> None:
    case = cooling(parent_consultation_datetime=None)  # arrived at 240 min
    assert "parent_consultation_datetime" not in fields(case, after(case, 240 + 24 * 60))
    assert "parent_consultation_datetime" in fields(case, after(case, 240 + 24 * 60 + 1))


def test_parent_consultation_expected_24_hours_after_birth_for_inborn() -> None:
    case = cooling(parent_consultation_datetime=None, birth_unit=ADDENBROOKES)
    assert "parent_consultation_datetime" in fields(case, after(case, 24 * 60 + 1))


def test_unknown_counts_as_missing_and_says_so() -> None:
    case = make_case(placenta_sent="unknown")
    [missing] = missing_fields(case, after(case, 365 * 24 * 60))
    assert missing.field == "placenta_sent"
    assert missing.why.startswith("Recorded as unknown.")
    assert missing_fields(make_case(placenta_sent="not_available"), after(case, 60)) == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"mnsi_referred": ""}, ["mnsi_referred"]),
    ({"mnsi_referred": "unknown"}, ["mnsi_referred"]),
    ({"mnsi_referred": "no"}, []),
    ({"mnsi_referred": "", "gestation_weeks": 36, "gestation_days": 6}, []),  # below 37+0
    ({"mnsi_referred": "", "labour": "no"}, []),
    ({"mnsi_referred": "", "active_cooling_start": None}, []),  # passive only
    ({"mnsi_referred": "", "labour": ""}, ["labour"]),  # cannot tell whether MNSI is due
    ({"mnsi_referred": "", "labour": "unknown"}, ["labour"]),
])
def test_mnsi_referral_expected_only_when_eligible(overrides: dict[str, object], expected: list[str]) -> None:
    case = make_case(**overrides)  # type: ignore[arg-type]
    assert fields(case, after(case, 365 * 24 * 60)) == expected


def test_discharge_fields_are_expected_once_discharged() -> None:
    case = make_case(outcome="", mri_performed="", mri_datetime=None, family_booklet_given="unknown")
    discharge = 12 * 24 * 60
    assert fields(case, after(case, discharge - 1)) == []
    assert fields(case, after(case, discharge)) == ["outcome", "mri_performed", "family_booklet_given"]


def test_no_mri_expected_of_a_baby_who_died() -> None:
    case = make_case(outcome="died", death_datetime=3 * 24 * 60, mri_performed="", mri_datetime=None,
                     rewarming_start=None, rewarming_end=None, early_stop_reason="died")
    assert fields(case, after(case, 365 * 24 * 60)) == []


def test_not_cooled_babies_have_a_short_list() -> None:
    case = just_referred(therapeutic_hypothermia="no", cooling_centre=None)
    assert fields(case, after(case, 365 * 24 * 60)) == ["hie_grade"]
    discharged = just_referred(therapeutic_hypothermia="no", cooling_centre=None, hie_grade=1,
                               discharge_datetime=3 * 24 * 60)
    assert fields(discharged, after(discharged, 3 * 24 * 60)) == ["outcome"]
    assert fields(discharged, after(discharged, 3 * 24 * 60 - 1)) == []


def test_hie_grade_zero_is_a_value_not_a_gap() -> None:
    case = make_case(hie_grade=0)
    assert fields(case, after(case, 365 * 24 * 60)) == []
