"""Where each baby is on the pathway right now: the phases of the live pathway board (issue 13).

A baby whose pathway is not finished is in exactly one phase at an instant:

- **Inside the 6-hour window**: a cooled baby whose active cooling has not started and whose target
  temperature is not reached (passive cooling alone is still the window: the transfer and the servo are to
  come), or a referral not cooled while the 6 hours last. The clock turns amber at 4 h and red at 5 h from
  time zero; past 6 h the baby stays here, marked "6 hours passed", until active cooling is recorded, for
  up to `WINDOW_LINGER` (24 h). After that a record with passive cooling only is shown as cooling, one with
  no cooling at all leaves the board: both are gaps in the record, which the worklist chases.
- **Cooling**: active cooling started or target reached, rewarming not started (and not stopped early).
- **Rewarming**: rewarming started, not ended.
- **Awaiting MRI**: cooling over, no MRI recorded (`mri_performed` not yes or no).
- **Awaiting discharge**: cooling over and MRI done (or decided against), not discharged.

Finished (off the board): discharged, died, entered in error, a referral not cooled once its 6 hours have
passed, or time zero more than `BOARD_DAYS` ago (an old record with gaps is the worklist's, not a live baby).

Every interval is on UTC instants, so a clock change never moves the 6-hour clock (tested in
pathway/tests/test_phases.py). `on_board` is the one query; `phase_of` and `entry_for` are pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from django.db.models import Q

from core.timeutil import LONDON, london_date
from pathway import choices as c
from pathway.completeness import cooling_start, has_died, is_discharged, time_zero, utc
from pathway.models import Case, CaseQuerySet

# The 6-hour window and its warnings (kpis.md "Conventions": within 6 h is ≤ 360 min; issue 13: amber at
# 4 h, red at 5 h). The same numbers as pathway.standards.
SIX_HOURS = timedelta(minutes=360)
AMBER_FROM = timedelta(hours=4)
RED_FROM = timedelta(hours=5)
COOLING = timedelta(hours=72)  # at target (domain.md §2.3)
REWARMING_LONGEST = timedelta(hours=12)  # rewarming takes 6–12 h (domain.md §2.3)
# MRI in day 5–14 of life: from 120 h after birth up to, not including, 360 h (kpis.md `mri_day5_14`).
MRI_FROM = timedelta(hours=120)
MRI_UNTIL = timedelta(hours=360)
MRI_FIRST_DAY, MRI_LAST_DAY = 5, 14
# A live baby is weeks old at most; older unfinished records are data gaps the worklist chases.
BOARD_DAYS = 90
# How long a cooled baby without active cooling stays in the window group, marked "6 hours passed".
WINDOW_LINGER = timedelta(hours=24)


class Phase(StrEnum):
    WINDOW = "window"
    COOLING = "cooling"
    REWARMING = "rewarming"
    AWAITING_MRI = "awaiting_mri"
    AWAITING_DISCHARGE = "awaiting_discharge"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS: dict[Phase, str] = {
    Phase.WINDOW: "Inside the 6-hour window",
    Phase.COOLING: "Cooling",
    Phase.REWARMING: "Rewarming",
    Phase.AWAITING_MRI: "Awaiting MRI",
    Phase.AWAITING_DISCHARGE: "Awaiting discharge",
}


class Clock(StrEnum):
    """The 6-hour clock of a baby inside the window, always shown with its words (never colour alone)."""

    ON_TIME = "on_time"
    AMBER = "amber"  # 4 h or more
    RED = "red"  # 5 h or more
    PASSED = "passed"  # more than 6 h

    @property
    def label(self) -> str:
        return {"on_time": "Under 4 hours", "amber": "Over 4 hours", "red": "Over 5 hours", "passed": "6 hours passed"}[
            self.value
        ]

    @property
    def tag(self) -> str:
        """NHS.UK tag colour."""
        return {"on_time": "green", "amber": "orange", "red": "red", "passed": "red"}[self.value]


def clock_at(age: timedelta) -> Clock:
    """Amber from 4 h, red from 5 h, passed once more than 6 h (6 h 00 exactly is still within 6 hours)."""
    if age > SIX_HOURS:
        return Clock.PASSED
    if age >= RED_FROM:
        return Clock.RED
    if age >= AMBER_FROM:
        return Clock.AMBER
    return Clock.ON_TIME


# --- Which phase --------------------------------------------------------------------------------------


def _cooling_over(case: Case) -> bool:
    return bool(case.rewarming_end) or (bool(case.early_stop_reason) and not case.rewarming_start)


def phase_of(case: Case, now: datetime) -> Phase | None:
    """The baby's phase at `now`, or None when its pathway is finished (off the board)."""
    now = now.astimezone(UTC)
    if case.entered_in_error or has_died(case) or is_discharged(case, now):
        return None
    if now - time_zero(case) > timedelta(days=BOARD_DAYS):
        return None
    if not case.is_cooled:
        return Phase.WINDOW if now - time_zero(case) <= SIX_HOURS else None
    if case.active_cooling_start is None and case.target_temp_reached is None:
        if now - time_zero(case) <= WINDOW_LINGER:
            return Phase.WINDOW
        if cooling_start(case) is None:
            return None
        return Phase.COOLING
    if _cooling_over(case):
        done = case.mri_performed in (c.YesNoUnknown.YES, c.YesNoUnknown.NO)
        return Phase.AWAITING_DISCHARGE if done else Phase.AWAITING_MRI
    if case.rewarming_start:
        return Phase.REWARMING
    return Phase.COOLING


def on_board(cases: CaseQuerySet, now: datetime) -> CaseQuerySet:
    """The cases that may be on the board at `now` (`phase_of` decides), with their units: one query.

    Filters in SQL what can be decided there (so the page costs the same for 100 or 100,000 records):
    current, not died, not discharged by `now`, time zero in the last `BOARD_DAYS`, and a referral not
    cooled only while its 6 hours last.
    """
    since, six_hours_ago = now - timedelta(days=BOARD_DAYS), now - SIX_HOURS
    recent = Q(birth_datetime__gte=since) | Q(postnatal_collapse_datetime__gte=since)
    in_window = Q(birth_datetime__gte=six_hours_ago) | Q(postnatal_collapse_datetime__gte=six_hours_ago)
    return (
        cases.current()
        .filter(recent)
        .exclude(outcome=c.Outcome.DIED)
        .filter(death_datetime__isnull=True)
        .filter(Q(discharge_datetime__isnull=True) | Q(discharge_datetime__gt=now))
        .filter(Q(therapeutic_hypothermia=c.YesNo.YES) | in_window)
        .select_related("birth_unit", "cooling_centre")
    )


# --- What the board shows for one baby -----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the first hours: done (with its time), under way, not yet, or not needed."""

    label: str
    done_at: datetime | None = None
    needed: bool = True
    under_way: str = ""  # e.g. "left 03:00, not yet arrived"

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def state(self) -> str:
        if self.done_at is not None:
            return f"Done {hhmm(self.done_at)}"
        if not self.needed:
            return "Not needed"
        return self.under_way or "Not yet"


def hhmm(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%H:%M}"


def day_month(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%d/%m %H:%M}"


def span(delta: timedelta) -> str:
    """ "3 h 28 min" (whole minutes, truncated, like the timeline); a negative span reads as its size."""
    minutes = int(abs(delta) / timedelta(minutes=1))
    return f"{minutes // 60} h {minutes % 60:02d} min"


def is_inborn(case: Case) -> bool:
    """Born at the cooling centre: no referral or transfer to wait for."""
    if case.cooling_centre_id is not None:
        return case.cooling_centre_id == case.birth_unit_id
    return bool(case.birth_unit.is_cooling_centre)


def window_steps(case: Case) -> tuple[Step, ...]:
    """Referral, passive cooling, core monitoring, transfer and active cooling, in that order."""
    outborn = not is_inborn(case)
    departed = utc(case.depart_referring_datetime)
    transfer_under_way = f"Left {hhmm(departed)}, not yet arrived" if departed and outborn else ""
    return (
        Step("Referral", utc(case.referral_datetime), needed=outborn),
        Step("Passive cooling", utc(case.passive_cooling_start)),
        Step("Core monitoring", utc(case.core_monitoring_start)),
        Step(
            "Transfer",
            utc(case.arrive_centre_datetime) if outborn else None,
            needed=outborn,
            under_way=transfer_under_way,
        ),
        Step("Active cooling", utc(case.active_cooling_start)),
    )


@dataclass(frozen=True)
class MriWindow:
    opens: date  # the UK date of day 5
    closes: date  # the UK date of day 14, its last day
    state: str  # "Opens in 3 days", "Open, closes in 4 days", "Closed 2 days ago: MRI overdue"
    overdue: bool

    @property
    def text(self) -> str:
        return (
            f"Day {MRI_FIRST_DAY}–{MRI_LAST_DAY}: opens {self.opens:%d/%m/%Y}, "
            f"closes {self.closes:%d/%m/%Y} (day {MRI_LAST_DAY})"
        )


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def mri_window(case: Case, now: datetime) -> MriWindow:
    birth = case.birth_datetime.astimezone(UTC)
    opens, closes = london_date(birth + timedelta(days=MRI_FIRST_DAY)), london_date(birth + timedelta(days=14))
    today = london_date(now)
    if now < birth + MRI_FROM:
        state = f"Opens in {_days((opens - today).days)}" if opens > today else "Opens today"
        return MriWindow(opens, closes, state, overdue=False)
    if now < birth + MRI_UNTIL:
        left = (closes - today).days
        if left < 0:  # the small hours after day 14's date: day 14 ends at the hour of birth
            return MriWindow(opens, closes, f"Open until {hhmm(birth + MRI_UNTIL)} today (end of day 14)", False)
        return MriWindow(opens, closes, f"Open, closes in {_days(left)}" if left else "Open, closes today", False)
    return MriWindow(
        opens,
        closes,
        f"Closed {_days((today - closes).days)} ago: MRI overdue" if today > closes else "Closed today: MRI overdue",
        overdue=True,
    )


@dataclass(frozen=True)
class Entry:
    """One baby on the board, with what its phase shows."""

    case: Case
    phase: Phase
    now: datetime
    age: timedelta  # since time zero
    clock: Clock | None = None  # inside the window only
    steps: tuple[Step, ...] = ()
    target_reached: datetime | None = None
    rewarming_due: datetime | None = None
    rewarming_started: datetime | None = None
    mri: MriWindow | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def deadline(self) -> datetime:
        return time_zero(self.case) + SIX_HOURS

    @property
    def time_left(self) -> timedelta:
        return self.deadline - self.now

    @property
    def time_left_text(self) -> str:
        left = self.time_left
        if left < timedelta(0):
            return f"Passed {span(left)} ago (at {hhmm(self.deadline)})"
        return f"{span(left)} left (until {hhmm(self.deadline)})"

    @property
    def hours_into_cooling(self) -> int | None:
        """Whole hours at target so far, counted from target reached (None before it)."""
        if self.target_reached is None:
            return None
        return int((self.now - self.target_reached) / timedelta(hours=1))

    @property
    def rewarming_overdue(self) -> bool:
        """72 hours at target have passed and rewarming is not recorded as started."""
        return self.phase is Phase.COOLING and self.rewarming_due is not None and self.now > self.rewarming_due

    @property
    def rewarming_long(self) -> bool:
        """Rewarming started more than 12 hours ago and its end is not recorded."""
        started = self.rewarming_started
        return self.phase is Phase.REWARMING and started is not None and self.now - started > REWARMING_LONGEST

    @property
    def rewarming_for(self) -> str:
        return span(self.now - self.rewarming_started) if self.rewarming_started else ""

    @property
    def age_text(self) -> str:
        return span(self.age)

    @property
    def day_of_life(self) -> int:
        """Completed days since birth (birth is day 0), as the MRI window counts."""
        return int((self.now - self.case.birth_datetime.astimezone(UTC)) / timedelta(days=1))

    @property
    def status(self) -> str:
        """What is true now, in the words the case page uses for this phase."""
        return stage_text(self.case, self.now)


def entry_for(case: Case, now: datetime) -> Entry | None:
    now = now.astimezone(UTC)
    phase = phase_of(case, now)
    if phase is None:
        return None
    age = now - time_zero(case)
    if phase is Phase.WINDOW:
        return Entry(case, phase, now, age, clock=clock_at(age), steps=window_steps(case))
    target = utc(case.target_temp_reached)
    after_cooling = phase in (Phase.AWAITING_MRI, Phase.AWAITING_DISCHARGE)
    return Entry(
        case,
        phase,
        now,
        age,
        target_reached=target,
        rewarming_due=target + COOLING if target else None,
        rewarming_started=utc(case.rewarming_start),
        mri=mri_window(case, now) if after_cooling else None,
    )


# --- The board ----------------------------------------------------------------------------------------


@dataclass
class Group:
    phase: Phase
    entries: list[Entry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.phase.label

    @property
    def count(self) -> int:
        return len(self.entries)


def _order(entry: Entry) -> tuple[object, ...]:
    """Most pressing first: the oldest in the window, the soonest rewarming, the MRI window closing first."""
    far = datetime.max.replace(tzinfo=UTC)
    if entry.phase is Phase.WINDOW:
        return (-entry.age, entry.case.case_ref)
    if entry.phase is Phase.COOLING:
        return (entry.rewarming_due or far, entry.case.case_ref)
    if entry.phase is Phase.REWARMING:
        return (entry.rewarming_started or far, entry.case.case_ref)
    if entry.phase is Phase.AWAITING_MRI and entry.mri is not None:
        return (entry.mri.closes, entry.case.case_ref)
    return (entry.case.birth_datetime.astimezone(UTC), entry.case.case_ref)


def board(cases: Iterable[Case], now: datetime) -> list[Group]:
    """Every phase, in pathway order, each with its babies (an empty phase is shown too)."""
    groups = {phase: Group(phase) for phase in Phase}
    for case in cases:
        entry = entry_for(case, now)
        if entry is not None:
            groups[entry.phase].entries.append(entry)
    for group in groups.values():
        group.entries.sort(key=_order)
    return list(groups.values())


# --- The stage in words ---------------------------------------------------------------------------------


def stage_text(case: Case, now: datetime) -> str:
    """What is true of the baby now, for the case page: "Referred – cooling not yet started (3 h 28 min
    old, 2 h 32 min left in the 6-hour window)". Off the board it is the stored stage's own label."""
    phase = phase_of(case, now)
    if phase is None:
        return str(c.Stage(case.stage).label) if case.stage else ""
    age = now.astimezone(UTC) - time_zero(case)
    if phase is Phase.WINDOW:
        left = SIX_HOURS - age
        clock = (
            f"{span(age)} old, {span(left)} left in the 6-hour window"
            if left >= timedelta(0)
            else f"{span(age)} old, the 6-hour window passed {span(left)} ago"
        )
        if not case.is_cooled:
            return f"Referred – not cooled ({clock})"
        if cooling_start(case) is not None:
            return f"Passive cooling – active cooling not yet started ({clock})"
        return f"Referred – cooling not yet started ({clock})"
    if phase is Phase.COOLING:
        target = utc(case.target_temp_reached)
        if target is None:
            return "Cooling – target temperature not yet reached"
        hours = int((now.astimezone(UTC) - target) / timedelta(hours=1))
        return f"Cooling – {hours} h of 72 at target, rewarming due {day_month(target + COOLING)}"
    if phase is Phase.REWARMING:
        return "Rewarming"
    if phase is Phase.AWAITING_MRI:
        return "Cooling finished – awaiting MRI"
    return "Cooling finished – awaiting discharge"
