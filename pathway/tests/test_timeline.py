"""The case timeline: steps in time order from time zero, and each kpis.md rule at its boundaries.

Pure: cases are built in memory (no database). Times that matter for a clock change are written as UK wall
clock and parsed with `parse_local_datetime`, so both ends share the Europe/London tzinfo, the case where
Python's own datetime arithmetic would use the wall clock and be an hour out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.timeutil import LONDON, parse_local_datetime
from pathway.models import Case
from pathway.timeline import (
    DEADLINE_KEY,
    Check,
    Clock,
    Status,
    Step,
    build_timeline,
    checks_for,
    format_clock,
    format_duration,
    format_hours,
    format_minutes,
    sparkline,
    temperature_rows,
)
from units.models import Unit

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)  # BST, no clock change within weeks
WATFORD = Unit(pk=1, ods_code="RWG02", short_name="Watford")
ADDENBROOKES = Unit(pk=2, ods_code="RGT01", short_name="Addenbrooke's")
IPSWICH = Unit(pk=3, ods_code="RDE03", short_name="Ipswich")

# Minutes from birth of every timed field of a complete cooled outborn case (as core.testing.factories).
DEFAULT_MINUTES: dict[str, float] = {
    "referral_datetime": 80,
    "passive_cooling_start": 30,
    "core_monitoring_start": 45,
    "depart_referring_datetime": 170,
    "active_cooling_start": 200,
    "target_temp_reached": 230,
    "arrive_centre_datetime": 240,
    "parent_consultation_datetime": 300,
    "rewarming_start": 230 + 72 * 60,
    "rewarming_end": 230 + 80 * 60,
    "mri_datetime": 7 * 24 * 60,
    "discharge_datetime": 12 * 24 * 60,
}
TIME_FIELDS = {*DEFAULT_MINUTES, "postnatal_collapse_datetime", "death_datetime"}


def make_case(*, birth: datetime = BIRTH, born_at: Unit = WATFORD, centre: Unit | None = ADDENBROOKES,
              **overrides: Any) -> Case:
    """A complete cooled outborn case in memory. A time may be given as minutes from birth (counted on
    the UTC instant) or as a datetime; None empties it."""
    values: dict[str, Any] = {
        "case_ref": "T-1", "birth_datetime": birth, "sex": "male", "gestation_weeks": 39, "gestation_days": 2,
        "birth_weight_g": 3300, "birth_unit": born_at, "cooling_centre": centre, "labour": "yes",
        "hie_grade": 2, "therapeutic_hypothermia": "yes", "lowest_temp_before_arrival_c": Decimal("33.4"),
        "transport_cooling": "servo", "arrival_temp_c": Decimal("33.6"), "placenta_sent": "yes",
        "mri_performed": "yes", "mnsi_referred": "yes", "outcome": "alive", "family_booklet_given": "yes",
        **DEFAULT_MINUTES,
    }
    values.update(overrides)
    for name in TIME_FIELDS:
        value = values.get(name)
        if isinstance(value, int | float):
            values[name] = birth.astimezone(UTC) + timedelta(minutes=value)
    return Case(**values)


def after(case: Case, minutes: float) -> datetime:
    return case.birth_datetime.astimezone(UTC) + timedelta(minutes=minutes)


LATE = datetime(2025, 1, 1, tzinfo=UTC)  # an as-of long after every default time


def check(case: Case, code: str, as_of: datetime = LATE) -> Check | None:
    found = [c for c in checks_for(case, as_of) if c.code == code]
    assert len(found) <= 1
    return found[0] if found else None


def status(case: Case, code: str, as_of: datetime = LATE) -> Status | None:
    found = check(case, code, as_of)
    return found.status if found else None


def step(case: Case, key: str, as_of: datetime = LATE) -> Step:
    timeline = build_timeline(case, as_of)
    [found] = [s for s in timeline.steps + timeline.not_recorded if s.key == key]
    return found


# --- Order, minutes and the 6-hour clock ------------------------------------------------------------------


def test_steps_are_in_time_order_with_the_deadline_between() -> None:
    timeline = build_timeline(make_case(), LATE)
    keys = [s.key for s in timeline.steps]
    assert keys == ["birth_datetime", "passive_cooling_start", "core_monitoring_start", "referral_datetime",
                    "depart_referring_datetime", "active_cooling_start", "target_temp_reached",
                    "arrive_centre_datetime", "parent_consultation_datetime", DEADLINE_KEY, "rewarming_start",
                    "rewarming_end", "mri_datetime", "discharge_datetime"]
    assert timeline.not_recorded == []
    assert [s.minutes for s in timeline.steps][:3] == [0, 30, 45]


def test_each_step_has_local_time_minutes_and_clock() -> None:
    target = step(make_case(), "target_temp_reached")
    assert target.when == "14/05/2024 07:00"  # 03:10 + 230 min, no clock change that day
    assert target.minutes == 230
    assert target.from_zero == "230 min (3:50)"
    assert target.clock == Clock.INSIDE
    assert target.clock_label == "Inside 6 hours"
    rewarm = step(make_case(), "rewarming_start")
    assert rewarm.clock == Clock.AFTER


def test_deadline_row_is_time_zero_plus_six_hours() -> None:
    timeline = build_timeline(make_case(), LATE)
    [deadline] = [s for s in timeline.steps if s.is_deadline]
    assert deadline.at == BIRTH.astimezone(UTC) + timedelta(hours=6)
    assert deadline.when == "14/05/2024 09:10"
    assert deadline.minutes == 360
    assert deadline.clock_label == "Deadline"
    assert timeline.deadline_text == "14/05/2024 09:10"


@pytest.mark.parametrize(("minutes", "expected", "clock"), [
    (360, Status.MET, Clock.INSIDE),
    (361, Status.BREACH, Clock.AFTER),
    (360 + 1 / 60, Status.BREACH, Clock.AFTER),  # one second over: exact instants, no rounding
])
def test_cooling_start_at_the_six_hour_boundary(minutes: float, expected: Status, clock: Clock) -> None:
    case = make_case(passive_cooling_start=None, active_cooling_start=minutes, core_monitoring_start=45,
                     target_temp_reached=minutes + 30, arrive_centre_datetime=minutes + 40)
    assert status(case, "cooling_started_6h") == expected
    row = step(case, "active_cooling_start")
    assert row.minutes == pytest.approx(minutes)
    assert row.clock == clock
    assert row.css_class == ("app-ok" if expected == Status.MET else "app-breach")


def test_a_step_at_exactly_360_minutes_sorts_before_the_deadline_and_361_after() -> None:
    keys = [s.key for s in build_timeline(make_case(parent_consultation_datetime=360), LATE).steps]
    assert keys.index("parent_consultation_datetime") == keys.index(DEADLINE_KEY) - 1
    keys = [s.key for s in build_timeline(make_case(parent_consultation_datetime=361), LATE).steps]
    assert keys.index("parent_consultation_datetime") == keys.index(DEADLINE_KEY) + 1


def test_cooling_start_is_the_earliest_of_passive_and_active() -> None:
    found = check(make_case(passive_cooling_start=370, active_cooling_start=350), "cooling_started_6h")
    assert found is not None
    assert found.status == Status.MET
    assert found.step == "active_cooling_start"
    assert "350 min (5:50)" in found.message


def test_cooling_breach_message_says_why() -> None:
    found = check(make_case(passive_cooling_start=None, active_cooling_start=400, target_temp_reached=430,
                            arrive_centre_datetime=440), "cooling_started_6h")
    assert found is not None
    assert found.message == "Cooling started 400 min (6:40) after time zero: later than 6 hours"


@pytest.mark.parametrize(("minutes", "expected"), [(360, Status.MET), (361, Status.BREACH)])
def test_target_temperature_at_the_six_hour_boundary(minutes: int, expected: Status) -> None:
    assert status(make_case(target_temp_reached=minutes), "target_temp_6h") == expected


def test_target_not_reached_is_missing_after_the_deadline_and_pending_before() -> None:
    case = make_case(target_temp_reached=None, rewarming_start=None, rewarming_end=None, mri_datetime=None,
                     mri_performed="", discharge_datetime=None, outcome="")
    assert status(case, "target_temp_6h", as_of=after(case, 360)) == Status.PENDING
    late = check(case, "target_temp_6h", as_of=after(case, 361))
    assert late is not None
    # As the KPI counts it: missing data, not a breach, until a time is entered.
    assert late.status == Status.MISSING
    assert "Not recorded by the 6-hour deadline (14/05/2024 09:10)" in late.message
    row = step(case, "target_temp_reached", as_of=after(case, 361))
    assert row.at is None
    assert row.when == "Not recorded"
    assert [c.code for c in row.checks] == ["target_temp_6h"]


def test_target_not_reached_by_a_baby_who_died_is_not_judged() -> None:
    case = make_case(target_temp_reached=None, outcome="died", death_datetime=300, rewarming_start=None,
                     rewarming_end=None, mri_performed="", mri_datetime=None, discharge_datetime=None)
    assert check(case, "target_temp_6h") is None


# --- Time zero = postnatal collapse ------------------------------------------------------------------------


def test_postnatal_collapse_is_time_zero() -> None:
    case = make_case(postnatal_collapse_datetime=120, referral_datetime=150, passive_cooling_start=None,
                     active_cooling_start=480, core_monitoring_start=130, depart_referring_datetime=470,
                     target_temp_reached=481, arrive_centre_datetime=490, parent_consultation_datetime=500)
    timeline = build_timeline(case, LATE)
    assert timeline.time_zero_label == "postnatal collapse"
    assert timeline.time_zero == after(case, 120)
    assert timeline.deadline == after(case, 480)
    birth = step(case, "birth_datetime")
    assert birth.minutes == -120
    assert birth.clock == Clock.BEFORE
    assert birth.from_zero == "−120 min (−2:00)"
    cooling = check(case, "cooling_started_6h")
    assert cooling is not None
    assert cooling.status == Status.MET  # 480 min after birth, 360 after collapse
    assert status(case, "target_temp_6h") == Status.BREACH  # 361 after collapse
    keys = [s.key for s in timeline.steps]
    assert keys[:3] == ["birth_datetime", "postnatal_collapse_datetime", "core_monitoring_start"]
    assert keys.index("active_cooling_start") == keys.index(DEADLINE_KEY) - 1


# --- Clock changes -----------------------------------------------------------------------------------------


def test_spring_forward_night_counts_real_minutes() -> None:
    birth = parse_local_datetime("2024-03-31T00:30")  # GMT; at 01:00 the clocks jump to 02:00 BST
    cooling = parse_local_datetime("2024-03-31T06:50")  # BST: 5 h 20 min later, not 6 h 20
    case = make_case(birth=birth, passive_cooling_start=cooling, active_cooling_start=None,
                     core_monitoring_start=cooling, referral_datetime=parse_local_datetime("2024-03-31T03:00"),
                     depart_referring_datetime=parse_local_datetime("2024-03-31T07:00"),
                     target_temp_reached=parse_local_datetime("2024-03-31T07:40"),
                     arrive_centre_datetime=parse_local_datetime("2024-03-31T08:00"))
    row = step(case, "passive_cooling_start")
    assert row.minutes == 320
    assert row.clock == Clock.INSIDE
    assert row.when == "31/03/2024 06:50 BST"
    assert step(case, "birth_datetime").when == "31/03/2024 00:30 GMT"
    assert status(case, "cooling_started_6h") == Status.MET
    # 07:40 BST is 370 real minutes after 00:30 GMT (the wall clock says 7 h 10).
    assert step(case, "target_temp_reached").minutes == 370
    assert status(case, "target_temp_6h") == Status.BREACH
    timeline = build_timeline(case, LATE)
    assert timeline.deadline_text == "31/03/2024 07:30 BST"  # 06:30 UTC, not the wall-clock 06:30


@pytest.mark.parametrize(("cooling", "minutes", "expected"), [
    ("2024-10-27T05:30", 360, Status.MET),  # GMT: 6 h after 00:30 BST although the wall clock says 5 h
    ("2024-10-27T05:31", 361, Status.BREACH),
])
def test_fall_back_night_counts_real_minutes(cooling: str, minutes: int, expected: Status) -> None:
    birth = parse_local_datetime("2024-10-27T00:30")  # BST; at 02:00 BST the clocks go back to 01:00 GMT
    start = parse_local_datetime(cooling)
    case = make_case(birth=birth, passive_cooling_start=None, active_cooling_start=start,
                     target_temp_reached=start + timedelta(minutes=10),
                     arrive_centre_datetime=start + timedelta(minutes=20))
    row = step(case, "active_cooling_start")
    assert row.minutes == minutes
    assert status(case, "cooling_started_6h") == expected
    assert row.when == f"27/10/2024 {cooling[-5:]} GMT"
    assert step(case, "birth_datetime").when == "27/10/2024 00:30 BST"


def test_the_repeated_hour_of_the_fall_back_night_is_told_apart() -> None:
    birth = parse_local_datetime("2024-10-27T00:30")
    first = parse_local_datetime("2024-10-27T01:30+01:00")
    second = parse_local_datetime("2024-10-27T01:30+00:00")
    case = make_case(birth=birth, passive_cooling_start=first, core_monitoring_start=second)
    assert step(case, "passive_cooling_start").when == "27/10/2024 01:30 BST"
    assert step(case, "passive_cooling_start").minutes == 60
    assert step(case, "core_monitoring_start").when == "27/10/2024 01:30 GMT"
    assert step(case, "core_monitoring_start").minutes == 120


def test_earliest_cooling_start_is_chosen_on_instants_across_the_repeated_hour() -> None:
    # 01:20 GMT (second pass) is 40 minutes after 01:40 BST (first pass), though it reads earlier. Both are
    # stored in Europe/London, where Python's min() would compare the wall clock and pick the wrong one.
    birth = parse_local_datetime("2024-10-27T00:30")
    bst = datetime(2024, 10, 27, 1, 40, tzinfo=LONDON)  # fold=0: BST, 00:40 UTC
    gmt = datetime(2024, 10, 27, 1, 20, tzinfo=LONDON, fold=1)  # GMT, 01:20 UTC
    found = check(make_case(birth=birth, passive_cooling_start=gmt, active_cooling_start=bst), "cooling_started_6h")
    assert found is not None
    assert found.step == "active_cooling_start"
    assert "70 min" in found.message


def test_time_shows_gmt_or_bst_only_on_clock_change_days() -> None:
    assert format_clock(datetime(2024, 5, 14, 2, 10, tzinfo=UTC)) == "14/05/2024 03:10"
    assert format_clock(datetime(2024, 1, 2, 9, 0, tzinfo=UTC)) == "02/01/2024 09:00"
    assert format_clock(datetime(2024, 3, 31, 0, 30, tzinfo=UTC)) == "31/03/2024 00:30 GMT"
    assert format_clock(datetime(2024, 3, 31, 23, 0, tzinfo=UTC)) == "01/04/2024 00:00"  # next day
    assert format_clock(datetime(2024, 10, 27, 12, 0, tzinfo=UTC)) == "27/10/2024 12:00 GMT"
    assert format_clock(datetime(2024, 10, 26, 23, 30, tzinfo=UTC)) == "27/10/2024 00:30 BST"


def test_minutes_format() -> None:
    assert format_minutes(320) == "320 min (5:20)"
    assert format_minutes(0) == "0 min (0:00)"
    assert format_minutes(360.5) == "360.5 min (6:00)"
    assert format_minutes(-95) == "−95 min (−1:35)"
    assert format_hours(72 * 60 + 5) == "72:05"
    assert format_duration(72 * 60 + 5) == "72 h 05 min"
    assert format_duration(359.99) == "5 h 59 min"


# --- Outborn rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("core", "expected"), [(45, Status.MET), (170, Status.MET), (171, Status.BREACH)])
def test_core_monitoring_must_start_before_departure(core: int, expected: Status) -> None:
    found = check(make_case(core_monitoring_start=core), "core_monitoring_before_transfer")
    assert found is not None
    assert found.status == expected
    assert found.step == "core_monitoring_start"
    if expected == Status.BREACH:
        assert found.message == "Core monitoring started 1 min (0:01) after leaving the referring unit"


def test_core_monitoring_without_departure_is_missing_not_a_breach() -> None:
    case = make_case(depart_referring_datetime=None)
    assert status(case, "core_monitoring_before_transfer") == Status.MISSING


@pytest.mark.parametrize(("lowest", "expected", "words"), [
    ("33.0", Status.MET, "33.0 °C"),
    ("32.9", Status.BREACH, "below 33.0 °C: overcooled"),
    ("31.9", Status.BREACH, "severely overcooled (below 32.0 °C)"),
])
def test_overcooling_before_arrival(lowest: str, expected: Status, words: str) -> None:
    found = check(make_case(lowest_temp_before_arrival_c=Decimal(lowest)), "overcooling_before_centre")
    assert found is not None
    assert found.status == expected
    assert words in found.message
    assert found.step == "arrive_centre_datetime"


@pytest.mark.parametrize(("arrival", "expected"), [
    ("32.9", Status.BREACH), ("33.0", Status.MET), ("34.0", Status.MET), ("34.1", Status.BREACH),
])
def test_arrival_temperature_in_range(arrival: str, expected: Status) -> None:
    assert status(make_case(arrival_temp_c=Decimal(arrival)), "arrival_temp_in_range") == expected


def test_transport_not_servo_is_a_note_not_a_breach() -> None:
    found = check(make_case(transport_cooling="passive"), "servo_cooling_in_transport")
    assert found is not None
    assert found.status == Status.NOTE
    assert found.message == "Transport cooling was 'Passive', not servo-controlled"
    assert status(make_case(transport_cooling="servo"), "servo_cooling_in_transport") == Status.MET
    assert status(make_case(transport_cooling=""), "servo_cooling_in_transport") == Status.MISSING


def test_inborn_babies_have_no_transfer_checks() -> None:
    case = make_case(born_at=ADDENBROOKES, centre=ADDENBROOKES, transport_cooling="none",
                     arrival_temp_c=Decimal("35.0"))
    codes = {c.code for c in checks_for(case, LATE)}
    assert codes == {"cooling_started_6h", "target_temp_6h", "cooling_72h_completed", "controlled_rewarming",
                     "parent_consultation_24h", "mri_day5_14"}


def test_babies_not_cooled_have_no_checks_and_only_their_recorded_steps() -> None:
    case = make_case(therapeutic_hypothermia="no", centre=None, passive_cooling_start=None,
                     active_cooling_start=None, target_temp_reached=None, rewarming_start=None,
                     rewarming_end=None, core_monitoring_start=None, depart_referring_datetime=None,
                     arrive_centre_datetime=None, mri_datetime=None, mri_performed="")
    timeline = build_timeline(case, LATE)
    assert timeline.checks == []
    assert [s.key for s in timeline.steps] == ["birth_datetime", "referral_datetime",
                                               "parent_consultation_datetime", DEADLINE_KEY,
                                               "discharge_datetime"]
    assert timeline.not_recorded == []


# --- Cooling, rewarming, consultation, MRI --------------------------------------------------------------------


@pytest.mark.parametrize(("hours", "expected"), [
    (70 - 1 / 60, Status.BREACH), (70, Status.MET), (72, Status.MET), (74, Status.MET),
    (74 + 1 / 60, Status.BREACH),
])
def test_cooling_duration_70_to_74_hours(hours: float, expected: Status) -> None:
    case = make_case(rewarming_start=230 + hours * 60, rewarming_end=230 + hours * 60 + 420)
    assert status(case, "cooling_72h_completed") == expected


def test_short_cooling_with_an_early_stop_reason_is_a_note() -> None:
    case = make_case(rewarming_start=230 + 30 * 60, rewarming_end=230 + 38 * 60, early_stop_reason="clinical_decision")
    found = check(case, "cooling_72h_completed")
    assert found is not None
    assert found.status == Status.NOTE
    assert "Clinical decision" in found.message


def test_cooling_in_progress_is_pending_then_missing_after_74_hours() -> None:
    case = make_case(rewarming_start=None, rewarming_end=None, mri_datetime=None, mri_performed="",
                     discharge_datetime=None, outcome="")
    assert status(case, "cooling_72h_completed", as_of=after(case, 230 + 73 * 60)) == Status.PENDING
    assert status(case, "cooling_72h_completed", as_of=after(case, 230 + 75 * 60)) == Status.MISSING
    assert check(case, "controlled_rewarming") is None  # cohort: babies with a rewarming start


@pytest.mark.parametrize(("minutes", "expected"), [(359, Status.BREACH), (360, Status.MET), (480, Status.MET)])
def test_rewarming_at_least_six_hours(minutes: int, expected: Status) -> None:
    start = 230 + 72 * 60
    found = check(make_case(rewarming_start=start, rewarming_end=start + minutes), "controlled_rewarming")
    assert found is not None
    assert found.status == expected
    assert found.step == "rewarming_end"
    if expected == Status.BREACH:
        assert found.message == "Rewarming took 5 h 59 min: shorter than 6 hours"


@pytest.mark.parametrize(("after_arrival", "expected"), [(24 * 60, Status.MET), (24 * 60 + 1, Status.BREACH)])
def test_parent_consultation_within_24_hours_of_arrival_for_outborn(after_arrival: int, expected: Status) -> None:
    case = make_case(parent_consultation_datetime=240 + after_arrival)
    found = check(case, "parent_consultation_24h")
    assert found is not None
    assert found.status == expected
    assert "arrival at the cooling centre" in found.message


def test_parent_consultation_for_inborn_counts_from_birth() -> None:
    inborn = {"born_at": ADDENBROOKES, "centre": ADDENBROOKES}
    assert status(make_case(parent_consultation_datetime=24 * 60, **inborn), "parent_consultation_24h") == Status.MET
    assert status(make_case(parent_consultation_datetime=24 * 60 + 1, **inborn),
                  "parent_consultation_24h") == Status.BREACH


def test_parent_consultation_outborn_without_arrival_is_missing() -> None:
    case = make_case(arrive_centre_datetime=None)
    assert status(case, "parent_consultation_24h") == Status.MISSING


@pytest.mark.parametrize(("hours", "expected"), [
    (120 - 1 / 60, Status.BREACH), (120, Status.MET), (360 - 1 / 60, Status.MET), (360, Status.BREACH),
])
def test_mri_on_day_5_to_14_from_birth(hours: float, expected: Status) -> None:
    assert status(make_case(mri_datetime=hours * 60), "mri_day5_14") == expected


def test_mri_window_counts_from_birth_not_from_postnatal_collapse() -> None:
    case = make_case(postnatal_collapse_datetime=600, mri_datetime=119 * 60, passive_cooling_start=610,
                     core_monitoring_start=610, active_cooling_start=650, target_temp_reached=660,
                     referral_datetime=605, depart_referring_datetime=640, arrive_centre_datetime=700,
                     parent_consultation_datetime=720)
    assert status(case, "mri_day5_14") == Status.BREACH


def test_mri_not_performed_is_not_judged_on_timing() -> None:
    assert check(make_case(mri_performed="no", mri_datetime=None), "mri_day5_14") is None


# --- Not recorded -------------------------------------------------------------------------------------------


def test_missing_key_steps_are_shown_as_not_recorded() -> None:
    case = make_case(depart_referring_datetime=None, passive_cooling_start=None, active_cooling_start=None)
    timeline = build_timeline(case, LATE)
    missing = {s.key: s for s in timeline.not_recorded}
    assert set(missing) == {"cooling_start", "depart_referring_datetime"}
    assert missing["cooling_start"].label == "Cooling start (passive or active)"
    assert missing["cooling_start"].when == "Not recorded"
    assert [c.status for c in missing["cooling_start"].checks] == [Status.MISSING]
    assert missing["depart_referring_datetime"].label == "Departed referring unit"


def test_a_complete_case_lists_all_breaches() -> None:
    case = make_case(passive_cooling_start=None, active_cooling_start=400, target_temp_reached=420,
                     arrive_centre_datetime=430, arrival_temp_c=Decimal("35.0"),
                     lowest_temp_before_arrival_c=Decimal("32.0"), rewarming_start=420 + 72 * 60,
                     rewarming_end=420 + 80 * 60)
    assert [c.code for c in build_timeline(case, LATE).breaches] == [
        "cooling_started_6h", "target_temp_6h", "overcooling_before_centre", "arrival_temp_in_range"]


# --- Temperatures -------------------------------------------------------------------------------------------


@dataclass
class Reading:
    pk: int
    observed_at: datetime
    temp_c: Decimal
    site: str

    @property
    def is_core(self) -> bool:
        return self.site in ("rectal", "oesophageal")


def test_temperature_rows_are_flagged_and_ordered() -> None:
    case = make_case()
    readings = [Reading(i, after(case, m), Decimal(t), site) for i, (m, t, site) in enumerate([
        (90, "33.0", "rectal"), (60, "32.9", "rectal"), (30, "31.9", "oesophageal"), (120, "34.0", "rectal"),
        (150, "34.1", "rectal"), (180, "32.0", "axilla")], start=1)]
    rows = temperature_rows(case, readings)
    assert [r.minutes for r in rows] == [30, 60, 90, 120, 150, 180]
    assert [(r.overcooled, r.severe, r.in_range) for r in rows] == [
        (True, True, False), (True, False, False), (False, False, True), (False, False, True),
        (False, False, False), (True, False, False)]
    assert [text for text, _ in rows[0].flags] == ["Severely overcooled (below 32.0 °C)"]
    assert [text for text, _ in rows[1].flags] == ["Overcooled (below 33.0 °C)"]
    assert [text for text, _ in rows[2].flags] == ["In target range (33.0–34.0 °C)"]
    assert rows[4].flags == []
    assert [text for text, _ in rows[5].flags] == ["Overcooled (below 33.0 °C)",
                                                   "Not a core reading: does not count"]
    assert rows[0].when == "14/05/2024 03:40"
    assert rows[0].site_label == "Oesophageal"


def test_sparkline_plots_core_readings_only() -> None:
    case = make_case()
    readings = [Reading(1, after(case, 0), Decimal("36.0"), "rectal"),
                Reading(2, after(case, 60), Decimal("33.5"), "rectal"),
                Reading(3, after(case, 30), Decimal("30.0"), "skin")]
    chart = sparkline(temperature_rows(case, readings))
    assert chart is not None
    assert chart.count == 2
    assert chart.low == Decimal("33.5")
    assert chart.high == Decimal("36.0")
    first, last = chart.points.split()
    assert first.startswith("6.0,")
    assert last.startswith("594.0,")
    assert chart.band_height > 0
    assert sparkline(temperature_rows(case, readings[2:])) is None
