"""The live pathway board: each phase at its boundaries, the 6-hour clock across both clock changes, the
stage in words, and the page (access by unit, htmx polling returns the fragment only).

The phase rules are tested pure (cases in memory, `now` passed in); the page on the database with the
clock frozen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON, parse_local_datetime
from pathway import services
from pathway.models import Case
from pathway.phases import (
    BOARD_DAYS,
    Clock,
    Phase,
    board,
    clock_at,
    entry_for,
    mri_window,
    on_board,
    phase_of,
    stage_text,
    window_steps,
)
from pathway.tests.test_timeline import ADDENBROOKES, make_case

MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
HOUR = timedelta(hours=1)
LATER_TIMES = (
    "passive_cooling_start",
    "active_cooling_start",
    "core_monitoring_start",
    "target_temp_reached",
    "depart_referring_datetime",
    "arrive_centre_datetime",
    "rewarming_start",
    "rewarming_end",
    "parent_consultation_datetime",
    "mri_datetime",
    "discharge_datetime",
)


def early(**overrides: Any) -> Case:
    """A cooled outborn baby just referred: nothing after the referral call recorded yet."""
    values: dict[str, Any] = dict.fromkeys(LATER_TIMES)
    values.update(mri_performed="", outcome="", family_booklet_given="", placenta_sent="", mnsi_referred="")
    values.update(overrides)
    return make_case(**values)


def at(case: Case, delta: timedelta) -> datetime:
    return case.birth_datetime.astimezone(UTC) + delta


# --- Which phase ------------------------------------------------------------------------------------------


def test_a_baby_with_cooling_decided_but_not_started_is_inside_the_window() -> None:
    case = early()
    assert phase_of(case, at(case, 3 * HOUR + 28 * MIN)) is Phase.WINDOW
    assert stage_text(case, at(case, 3 * HOUR + 28 * MIN)) == (
        "Referred – cooling not yet started (3 h 28 min old, 2 h 32 min left in the 6-hour window)"
    )


def test_passive_cooling_alone_is_still_the_window() -> None:
    case = early(passive_cooling_start=30)
    assert phase_of(case, at(case, 2 * HOUR)) is Phase.WINDOW
    assert stage_text(case, at(case, 2 * HOUR)).startswith("Passive cooling – active cooling not yet started")


@pytest.mark.parametrize(
    ("overrides", "phase"),
    [
        ({"active_cooling_start": 200}, Phase.COOLING),
        ({"passive_cooling_start": 30, "target_temp_reached": 100}, Phase.COOLING),  # passive to target
        ({"active_cooling_start": 200, "target_temp_reached": 230, "rewarming_start": 230 + 72 * 60}, Phase.REWARMING),
        (
            {"active_cooling_start": 200, "target_temp_reached": 230, "rewarming_start": 4550, "rewarming_end": 5030},
            Phase.AWAITING_MRI,
        ),
        ({"active_cooling_start": 200, "early_stop_reason": "clinical_decision"}, Phase.AWAITING_MRI),
        (
            {"active_cooling_start": 200, "early_stop_reason": "clinical_decision", "rewarming_start": 2000},
            Phase.REWARMING,
        ),
        (
            {"active_cooling_start": 200, "rewarming_start": 4550, "rewarming_end": 5030, "mri_performed": "unknown"},
            Phase.AWAITING_MRI,
        ),
        (
            {
                "active_cooling_start": 200,
                "rewarming_start": 4550,
                "rewarming_end": 5030,
                "mri_performed": "yes",
                "mri_datetime": 7 * 24 * 60,
            },
            Phase.AWAITING_DISCHARGE,
        ),
        (
            {"active_cooling_start": 200, "rewarming_start": 4550, "rewarming_end": 5030, "mri_performed": "no"},
            Phase.AWAITING_DISCHARGE,
        ),
    ],
)
def test_phase_follows_the_record(overrides: dict[str, Any], phase: Phase) -> None:
    case = early(**overrides)
    assert phase_of(case, at(case, timedelta(days=9))) is phase


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"outcome": "died", "death_datetime": 600}, "died"),
        ({"death_datetime": 600}, "death time recorded"),
        ({"entered_in_error": True}, "entered in error"),
        ({"discharge_datetime": 8 * 24 * 60}, "discharged"),
    ],
)
def test_finished_babies_leave_the_board(overrides: dict[str, Any], reason: str) -> None:
    case = early(active_cooling_start=200, **overrides)
    assert phase_of(case, at(case, timedelta(days=9))) is None, reason


def test_discharge_counts_from_its_instant() -> None:
    case = early(
        active_cooling_start=200,
        rewarming_start=4550,
        rewarming_end=5030,
        mri_performed="yes",
        discharge_datetime=12 * 24 * 60,
    )
    discharge = at(case, timedelta(days=12))
    assert phase_of(case, discharge - SEC) is Phase.AWAITING_DISCHARGE
    assert phase_of(case, discharge) is None


def test_a_referral_not_cooled_is_on_the_board_for_its_six_hours_only() -> None:
    case = early(therapeutic_hypothermia="no", cooling_centre=None)
    assert phase_of(case, at(case, 6 * HOUR)) is Phase.WINDOW  # 6 h 00 is still within 6 hours
    assert stage_text(case, at(case, 6 * HOUR)).startswith("Referred – not cooled (6 h 00 min old")
    assert phase_of(case, at(case, 6 * HOUR + SEC)) is None


def test_a_cooled_baby_past_six_hours_without_active_cooling_stays_in_the_window_marked_passed() -> None:
    case = early(passive_cooling_start=30)
    entry = entry_for(case, at(case, 7 * HOUR))
    assert entry is not None
    assert (entry.phase, entry.clock) == (Phase.WINDOW, Clock.PASSED)
    assert entry.time_left_text == "Passed 1 h 00 min ago (at 09:10)"


def test_a_day_later_without_active_cooling_the_record_is_a_gap_not_the_window() -> None:
    passive = early(passive_cooling_start=30)
    assert phase_of(passive, at(passive, 24 * HOUR)) is Phase.WINDOW
    assert phase_of(passive, at(passive, 24 * HOUR + SEC)) is Phase.COOLING
    nothing = early()
    assert phase_of(nothing, at(nothing, 24 * HOUR)) is Phase.WINDOW
    assert phase_of(nothing, at(nothing, 24 * HOUR + SEC)) is None


def test_old_records_are_off_the_board() -> None:
    case = early(active_cooling_start=200)
    assert phase_of(case, at(case, timedelta(days=BOARD_DAYS))) is Phase.COOLING
    assert phase_of(case, at(case, timedelta(days=BOARD_DAYS) + SEC)) is None


# --- The 6-hour clock -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "clock"),
    [
        (4 * HOUR - SEC, Clock.ON_TIME),
        (4 * HOUR, Clock.AMBER),
        (5 * HOUR - SEC, Clock.AMBER),
        (5 * HOUR, Clock.RED),
        (6 * HOUR, Clock.RED),
        (6 * HOUR + SEC, Clock.PASSED),
    ],
)
def test_clock_turns_amber_at_4_hours_and_red_at_5(age: timedelta, clock: Clock) -> None:
    assert clock_at(age) is clock
    # Never colour alone: every state has words.
    assert clock.label in {"Under 4 hours", "Over 4 hours", "Over 5 hours", "6 hours passed"}


def test_the_clock_counts_real_time_when_the_clocks_go_forward() -> None:
    # Born 00:30 GMT on 31/03/2024; at 05:00 BST on the wall only 3 h 30 min have passed.
    case = early(birth=parse_local_datetime("2024-03-31T00:30"))
    entry = entry_for(case, parse_local_datetime("2024-03-31T05:00"))
    assert entry is not None
    assert (entry.age_text, entry.clock) == ("3 h 30 min", Clock.ON_TIME)
    assert entry.time_left_text == "2 h 30 min left (until 07:30)"
    assert entry_for(case, parse_local_datetime("2024-03-31T05:30")).clock is Clock.AMBER  # type: ignore[union-attr]


def test_the_clock_counts_real_time_when_the_clocks_go_back() -> None:
    # Born 00:30 BST on 27/10/2024; at 04:30 GMT on the wall 5 hours have passed (4 on the wall clock).
    case = early(birth=parse_local_datetime("2024-10-27T00:30"))
    entry = entry_for(case, parse_local_datetime("2024-10-27T04:30"))
    assert entry is not None
    assert (entry.age_text, entry.clock) == ("5 h 00 min", Clock.RED)
    assert entry.time_left_text == "1 h 00 min left (until 05:30)"


def test_time_zero_is_the_postnatal_collapse_when_recorded() -> None:
    case = early(postnatal_collapse_datetime=60)
    entry = entry_for(case, at(case, 5 * HOUR))
    assert entry is not None
    assert (entry.age_text, entry.clock) == ("4 h 00 min", Clock.AMBER)


# --- What each phase shows ------------------------------------------------------------------------------------


def test_window_steps_say_which_are_done() -> None:
    case = early(passive_cooling_start=30, core_monitoring_start=45, depart_referring_datetime=170)
    steps = {s.label: s.state for s in window_steps(case)}
    assert steps == {
        "Referral": "Done 04:30",
        "Passive cooling": "Done 03:40",
        "Core monitoring": "Done 03:55",
        "Transfer": "Left 06:00, not yet arrived",
        "Active cooling": "Not yet",
    }


def test_an_inborn_baby_needs_no_referral_or_transfer() -> None:
    case = early(born_at=ADDENBROOKES, centre=ADDENBROOKES, referral_datetime=None)
    steps = {s.label: s.state for s in window_steps(case)}
    assert steps["Referral"] == steps["Transfer"] == "Not needed"


def test_cooling_shows_hours_into_the_72_and_when_rewarming_is_due() -> None:
    case = early(active_cooling_start=200, target_temp_reached=230)
    entry = entry_for(case, at(case, 230 * MIN + 14 * HOUR + 59 * MIN))
    assert entry is not None
    assert entry.hours_into_cooling == 14
    assert entry.rewarming_due == at(case, 230 * MIN + 72 * HOUR)
    assert stage_text(case, entry.now) == "Cooling – 14 h of 72 at target, rewarming due 17/05 07:00"


def test_rewarming_is_flagged_when_72_hours_have_passed_without_it() -> None:
    case = early(active_cooling_start=200, target_temp_reached=230)
    due = at(case, 230 * MIN + 72 * HOUR)
    assert not entry_for(case, due).rewarming_overdue  # type: ignore[union-attr]
    assert entry_for(case, due + SEC).rewarming_overdue  # type: ignore[union-attr]


def test_a_long_rewarming_without_its_end_is_flagged() -> None:
    case = early(active_cooling_start=200, target_temp_reached=230, rewarming_start=230 + 72 * 60)
    started = at(case, (230 + 72 * 60) * MIN)
    entry = entry_for(case, started + 12 * HOUR)
    assert entry is not None and not entry.rewarming_long
    assert entry.rewarming_for == "12 h 00 min"
    assert entry_for(case, started + 12 * HOUR + SEC).rewarming_long  # type: ignore[union-attr]


def test_cooling_before_target_counts_no_hours() -> None:
    case = early(active_cooling_start=200)
    entry = entry_for(case, at(case, 5 * HOUR))
    assert entry is not None
    assert (entry.hours_into_cooling, entry.rewarming_due) == (None, None)


@pytest.mark.parametrize(
    ("delta", "state", "overdue"),
    [
        (timedelta(hours=120) - SEC, "Opens today", False),  # born 03:10: day 5 starts at 03:10 on 19/05
        (timedelta(days=2), "Opens in 3 days", False),
        (timedelta(hours=120), "Open, closes in 9 days", False),
        (timedelta(hours=336), "Open, closes today", False),
        (timedelta(hours=360) - SEC, "Open until 03:10 today (end of day 14)", False),  # 29/05 03:09
        (timedelta(hours=360), "Closed 1 day ago: MRI overdue", True),
    ],
)
def test_mri_window_dates_and_state(delta: timedelta, state: str, overdue: bool) -> None:
    case = early(active_cooling_start=200, rewarming_start=4550, rewarming_end=5030)
    window = mri_window(case, at(case, delta))
    assert (window.opens, window.closes) == (date(2024, 5, 19), date(2024, 5, 28))
    assert (window.state, window.overdue) == (state, overdue)
    assert window.text == "Day 5–14: opens 19/05/2024, closes 28/05/2024 (day 14)"


def test_board_groups_in_pathway_order_most_pressing_first() -> None:
    now = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)

    def born(hours: float, **overrides: Any) -> Case:
        return early(birth=now - timedelta(hours=hours), **overrides)

    older, younger = born(4.5, case_ref="OLDER"), born(1, case_ref="YOUNGER")
    cooling = born(20, case_ref="COOL", active_cooling_start=200, target_temp_reached=230)
    groups = board([younger, cooling, older], now)
    assert [g.phase for g in groups] == list(Phase)
    assert [e.case.case_ref for e in groups[0].entries] == ["OLDER", "YOUNGER"]
    assert [e.clock for e in groups[0].entries] == [Clock.AMBER, Clock.ON_TIME]
    assert [e.case.case_ref for e in groups[1].entries] == ["COOL"]


# --- On the database: the query, the page, access ----------------------------------------------------------

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def create(people: Personas, age: timedelta, **overrides: Any) -> Case:
    values = cooled_case_values(birth=(NOW - age).astimezone(LONDON), **overrides)
    for name in LATER_TIMES:
        if name not in overrides and values.get(name) is not None and values[name] > NOW:
            values[name] = None
    if values["discharge_datetime"] is None:
        values.update(outcome="", family_booklet_given="")
    if values["mri_datetime"] is None:
        values["mri_performed"] = ""
    return services.case_create(values=values, by=people.nurse)


@pytest.fixture
def live(people: Personas, frozen: None) -> dict[str, Case]:
    return {
        "window": create(
            people,
            3 * HOUR + 28 * MIN,
            case_ref="W-WINDOW",
            passive_cooling_start=None,
            active_cooling_start=None,
            core_monitoring_start=None,
            target_temp_reached=None,
        ),
        "cooling": create(people, timedelta(hours=20), case_ref="W-COOL"),
        "mri": create(people, timedelta(days=6), case_ref="W-MRI"),
        "ipswich": create(
            people,
            2 * HOUR,
            case_ref="I-WINDOW",
            birth_unit="RDE03",
            centre="RM102",
            passive_cooling_start=None,
            active_cooling_start=None,
            core_monitoring_start=None,
            target_temp_reached=None,
            depart_referring_datetime=None,
        ),
        "discharged": create(people, timedelta(days=20), case_ref="W-HOME"),
    }


def test_stored_stage_says_cooling_has_not_started(live: dict[str, Case]) -> None:
    assert Case.objects.get(case_ref="W-WINDOW").stage == "awaiting_cooling"
    assert Case.objects.get(case_ref="W-WINDOW").get_stage_display() == "Referred – cooling not yet started"
    assert Case.objects.get(case_ref="W-COOL").stage == "cooling"


def test_on_board_is_one_query_and_leaves_out_finished_babies(
    live: dict[str, Case], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        cases = list(on_board(Case.objects.all(), NOW))
        names = {(c.case_ref, c.birth_unit.short_name) for c in cases}
    assert {ref for ref, _ in names} == {"W-WINDOW", "W-COOL", "W-MRI", "I-WINDOW"}


def page(user: Any, **headers: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("pathway:live_board"), headers=headers)


def refs_by_phase(response: Any) -> dict[str, list[str]]:
    return {g.phase.value: [e.case.case_ref for e in g.entries] for g in response.context["groups"]}


def test_board_page_groups_the_nurses_babies(people: Personas, live: dict[str, Case]) -> None:
    response = page(people.nurse)
    assert response.status_code == 200
    assert refs_by_phase(response) == {
        "window": ["W-WINDOW", "I-WINDOW"],
        "cooling": ["W-COOL"],
        "rewarming": [],
        "awaiting_mri": ["W-MRI"],
        "awaiting_discharge": [],
    }
    body = response.content.decode()
    assert "Live pathway board" in body
    assert 'hx-trigger="every 30s"' in body
    assert "3 h 28 min" in body and "2 h 32 min left (until 14:32)" in body
    assert "Under 4 hours" in body


@pytest.mark.parametrize(
    ("who", "sees", "never"),
    [
        ("clinician", {"W-WINDOW", "W-COOL", "W-MRI"}, "I-WINDOW"),  # Watford
        ("outsider", {"I-WINDOW"}, "W-WINDOW"),  # Ipswich
    ],
)
def test_board_shows_only_the_babies_of_the_users_units(
    people: Personas, live: dict[str, Case], who: str, sees: set[str], never: str
) -> None:
    response = page(getattr(people, who))
    shown = {ref for refs in refs_by_phase(response).values() for ref in refs}
    assert shown == sees
    assert never not in response.content.decode()


def test_a_poll_gets_the_board_fragment_only(people: Personas, live: dict[str, Case]) -> None:
    response = page(people.nurse, HX_Request="true", HX_Target="live-board")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="live-board"')
    assert "<html" not in body and "nhsuk-header" not in body
    assert "W-WINDOW" in body
    assert response["Cache-Control"] == "no-store"


def test_the_board_needs_a_login() -> None:
    response = Client().get(reverse("pathway:live_board"))
    assert response.status_code == 302


def test_the_header_links_to_the_board(people: Personas, live: dict[str, Case]) -> None:
    body = page(people.nurse).content.decode()
    assert f'href="{reverse("pathway:live_board")}" aria-current="page">Live board</a>' in body


def test_the_case_page_says_what_is_true_now(people: Personas, live: dict[str, Case]) -> None:
    client = Client()
    client.force_login(people.nurse)
    body = client.get(reverse("pathway:case_detail", args=[live["window"].pk])).content.decode()
    assert ">Referred – cooling not yet started</strong>" in body
    assert "Referred – cooling not yet started (3 h 28 min old, 2 h 32 min left in the 6-hour window)." in body


def test_the_board_costs_the_same_queries_for_more_babies(people: Personas, live: dict[str, Case]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(people.nurse)
    client.get(reverse("pathway:live_board"))  # the first page of a session also stamps its idle clock

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("pathway:live_board")).status_code == 200
        return len(captured)

    before = queries()
    for n in range(12):
        create(people, timedelta(hours=10 + 5 * n), case_ref=f"MORE-{n:02d}")
    assert queries() == before
    assert before <= 6  # session, user, memberships, the babies with their units, the menu's roles
