"""The case timeline: each pathway step in time order, measured from time zero, and the standards it meets
or breaches.

Pure: reads one Case's own fields and a list of its temperature readings, never the database. The checks
are the per-case rules of ../shared/spec/kpis.md (v1) for therapeutically cooled babies, with its
conventions: time zero is postnatal collapse when set, else birth; cooling start is the earliest of passive
and active; "within 6 hours" is ≤ 360 minutes on exact instants, no rounding. A check is `met`, `breach`,
`note` (worth a look, not a failure), `pending` (its time has not come yet) or `missing` (data needed to
decide is not recorded; never counted as a breach, as in the KPIs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from core.timeutil import LONDON, minutes_between
from pathway import choices as c
from pathway import standards as s
from pathway.completeness import admission, cooling_start, missing_fields, time_zero, utc
from pathway.models import Case

# Every threshold comes from pathway.standards, the one place the KPI definitions read too.
TARGET_TEXT = s.target_range_text()

DEADLINE_KEY = "six_hour_deadline"

# Every timed field of the pathway, in the order they normally happen (the tie-break for equal times).
STEP_FIELDS: tuple[tuple[str, str], ...] = (
    ("birth_datetime", "Birth"),
    ("postnatal_collapse_datetime", "Postnatal collapse"),
    ("encephalopathy_exam_datetime", "Encephalopathy examination"),
    ("referral_datetime", "Referral call"),
    ("transport_team_mobilised_datetime", "Transport team mobilised"),
    ("passive_cooling_start", "Passive cooling started"),
    ("core_monitoring_start", "Continuous core monitoring started"),
    ("transport_team_arrived_datetime", "Transport team at the bedside"),
    ("active_cooling_start", "Active cooling started"),
    ("depart_referring_datetime", "Departed referring unit"),
    ("arrive_centre_datetime", "Arrived at cooling centre"),
    ("target_temp_reached", f"Target temperature ({TARGET_TEXT}) reached"),
    ("rewarming_start", "Rewarming started"),
    ("rewarming_end", "Rewarming ended"),
    ("parent_consultation_datetime", "Senior consultation with parents"),
    ("mri_datetime", "First brain MRI"),
    ("mri2_datetime", "Second brain MRI"),
    ("discharge_datetime", "Discharged"),
    ("death_datetime", "Died"),
)
STEP_LABELS = dict(STEP_FIELDS)
_STEP_ORDER = {key: index for index, (key, _) in enumerate(STEP_FIELDS)}


class Status(StrEnum):
    MET = "met"
    BREACH = "breach"
    NOTE = "note"
    PENDING = "pending"
    MISSING = "missing"


STATUS_LABELS = {Status.MET: "Met", Status.BREACH: "Breach", Status.NOTE: "Note", Status.PENDING: "Pending",
                 Status.MISSING: "Not recorded"}


class Clock(StrEnum):
    BEFORE = "before"
    INSIDE = "inside"
    AFTER = "after"


CLOCK_LABELS = {Clock.BEFORE: "Before time zero", Clock.INSIDE: "Inside 6 hours",
                Clock.AFTER: "After 6 hours"}


@dataclass(frozen=True)
class Check:
    code: str  # the kpis.md code it mirrors
    title: str
    status: Status
    message: str
    step: str  # the step row it belongs to

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_breach(self) -> bool:
        return self.status == Status.BREACH


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    at: datetime | None  # None: expected by now but not recorded
    minutes: float | None = None
    why_missing: str = ""
    is_deadline: bool = False
    checks: tuple[Check, ...] = ()

    @property
    def recorded(self) -> bool:
        return self.at is not None

    @property
    def when(self) -> str:
        return format_clock(self.at) if self.at else "Not recorded"

    @property
    def from_zero(self) -> str:
        return format_minutes(self.minutes) if self.minutes is not None else ""

    @property
    def clock(self) -> Clock | None:
        if self.minutes is None:
            return None
        if self.minutes < 0:
            return Clock.BEFORE
        return Clock.INSIDE if self.minutes <= s.SIX_HOURS_MIN else Clock.AFTER

    @property
    def clock_label(self) -> str:
        if self.is_deadline:
            return "Deadline"
        return CLOCK_LABELS[self.clock] if self.clock else ""

    @property
    def breaches(self) -> list[Check]:
        return [check for check in self.checks if check.is_breach]

    @property
    def css_class(self) -> str:
        if self.breaches:
            return "app-breach"
        if any(check.status == Status.MET for check in self.checks):
            return "app-ok"
        return ""


@dataclass(frozen=True)
class Timeline:
    time_zero: datetime
    time_zero_label: str
    deadline: datetime
    steps: list[Step]  # recorded steps and the 6-hour deadline, in time order
    not_recorded: list[Step]  # expected by now, still empty
    checks: list[Check] = field(default_factory=list)

    @property
    def breaches(self) -> list[Check]:
        return [check for check in self.checks if check.is_breach]

    @property
    def time_zero_text(self) -> str:
        return format_clock(self.time_zero)

    @property
    def deadline_text(self) -> str:
        return format_clock(self.deadline)


# --- Formatting ----------------------------------------------------------------------------------------


def _clocks_change_on(day: date) -> bool:
    # Midnight always exists in UK time (the clocks change at 01:00 UTC), so both ends are unambiguous.
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return start.utcoffset() != end.utcoffset()


def format_clock(value: datetime) -> str:
    """dd/mm/yyyy HH:MM in UK time; on a clock-change day with GMT/BST, since 01:30 can happen twice."""
    local = value.astimezone(LONDON)
    text = f"{local:%d/%m/%Y %H:%M}"
    return f"{text} {local.tzname()}" if _clocks_change_on(local.date()) else text


def format_hours(minutes: float) -> str:
    """h:mm, whole minutes (truncated: 360.5 minutes reads 6:00 but is still past 6 hours)."""
    sign = "−" if minutes < 0 else ""
    whole = int(abs(minutes))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


def format_duration(minutes: float) -> str:
    """A span in words for messages, e.g. "72 h 05 min" (truncated to whole minutes, like format_hours)."""
    whole = int(abs(minutes))
    return f"{'−' if minutes < 0 else ''}{whole // 60} h {whole % 60:02d} min"


def format_minutes(minutes: float) -> str:
    number = f"{int(minutes)}" if minutes == int(minutes) else f"{minutes:.1f}"
    return f"{number.replace('-', '−')} min ({format_hours(minutes)})"


# --- Checks (one function per kpis.md rule, TH babies only) ------------------------------------------------


def _cooling_started(case: Case, as_of: datetime) -> Check:
    code, title = "cooling_started_6h", "Cooling started within 6 hours"
    start = cooling_start(case)
    if start is None:
        return Check(code, title, Status.MISSING, "Cooling start not recorded", "cooling_start")
    step = min(("passive_cooling_start", "active_cooling_start"),
               key=lambda f: (utc(getattr(case, f)) or datetime.max.replace(tzinfo=UTC), _STEP_ORDER[f]))
    return _within_six_hours(code, title, step, "Cooling started", minutes_between(time_zero(case), start))


def _within_six_hours(code: str, title: str, step: str, what: str, minutes: float) -> Check:
    """A 6-hour standard's verdict once its time is known: met at 360 minutes or fewer (kpis.md)."""
    said = f"{what} {format_minutes(minutes)} after time zero"
    if minutes > s.SIX_HOURS_MIN:
        return Check(code, title, Status.BREACH, f"{said}: later than 6 hours", step)
    return Check(code, title, Status.MET, said, step)


def _target_reached(case: Case, as_of: datetime) -> Check | None:
    code, title, step = "target_temp_6h", "Target temperature reached within 6 hours", "target_temp_reached"
    target = utc(case.target_temp_reached)
    if target is None:
        if case.outcome == c.Outcome.DIED:
            return None  # died before reaching target: outside the KPI cohort
        deadline = time_zero(case) + s.SIX_HOURS
        if as_of > deadline:
            # Missing, as the KPI counts it: the time may simply not be entered yet (kpis.md `target_temp_6h`).
            return Check(code, title, Status.MISSING,
                         f"Not recorded by the 6-hour deadline ({format_clock(deadline)}). The KPI counts it as "
                         "missing data until a time is entered", step)
        return Check(code, title, Status.PENDING, f"Not reached yet: deadline {format_clock(deadline)}", step)
    return _within_six_hours(code, title, step, "Reached", minutes_between(time_zero(case), target))


def _core_monitoring(case: Case, as_of: datetime) -> Check | None:
    code, title, step = ("core_monitoring_before_transfer", "Core monitoring started before transfer",
                         "core_monitoring_start")
    core, depart = utc(case.core_monitoring_start), utc(case.depart_referring_datetime)
    if core is None or depart is None:
        what = "core monitoring start" if core is None else "departure from the referring unit"
        return Check(code, title, Status.MISSING, f"Cannot tell: {what} not recorded", step)
    if core > depart:
        return Check(code, title, Status.BREACH,
                     f"Core monitoring started {format_minutes(minutes_between(depart, core))} after leaving "
                     "the referring unit", step)
    return Check(code, title, Status.MET, "Core monitoring started before leaving the referring unit", step)


def _overcooling(case: Case, as_of: datetime) -> Check | None:
    code, title, step = ("overcooling_before_centre", "No overcooling before the cooling centre",
                         "arrive_centre_datetime")
    lowest = case.lowest_temp_before_arrival_c
    if lowest is None:
        return Check(code, title, Status.MISSING, "Lowest core temperature before arrival not recorded", step)
    if s.overcooled(lowest):
        severe = lowest < s.SEVERE_OVERCOOLED_BELOW_C
        severity = f"severely overcooled (below {s.SEVERE_OVERCOOLED_BELOW_C} °C)" if severe else "overcooled"
        return Check(code, title, Status.BREACH, f"Lowest core temperature before arrival {lowest} °C is below "
                     f"{s.OVERCOOLED_BELOW_C} °C: {severity}", step)
    return Check(code, title, Status.MET, f"Lowest core temperature before arrival {lowest} °C", step)


def _arrival_temperature(case: Case, as_of: datetime) -> Check | None:
    code, title, step = "arrival_temp_in_range", f"Arrival temperature {TARGET_TEXT}", "arrive_centre_datetime"
    arrival = case.arrival_temp_c
    if arrival is None:
        return Check(code, title, Status.MISSING, "Core temperature on arrival not recorded", step)
    if not s.in_target(arrival):
        return Check(code, title, Status.BREACH,
                     f"Core temperature on arrival {arrival} °C is outside {TARGET_TEXT}", step)
    return Check(code, title, Status.MET, f"Core temperature on arrival {arrival} °C", step)


def _servo_transport(case: Case, as_of: datetime) -> Check | None:
    code, title, step = "servo_cooling_in_transport", "Servo-controlled cooling in transport", \
        "depart_referring_datetime"
    mode = case.transport_cooling
    if not mode:
        return Check(code, title, Status.MISSING, "Cooling mode during transfer not recorded", step)
    if mode != c.TransportCooling.SERVO:
        return Check(code, title, Status.NOTE,
                     f"Transport cooling was '{c.TransportCooling(mode).label}', not servo-controlled", step)
    return Check(code, title, Status.MET, "Servo-controlled cooling during transfer", step)


def _cooling_duration(case: Case, as_of: datetime) -> Check | None:
    code, title, step = ("cooling_72h_completed",
                         f"Cooled for {s.COOLING_HOURS} hours ({s.COOLING_SHORTEST_H}–{s.COOLING_LONGEST_H} h)",
                         "rewarming_start")
    if case.early_stop_reason:
        reason = c.EarlyStopReason(case.early_stop_reason).label
        return Check(code, title, Status.NOTE, f"Cooling stopped early ({reason}): the {s.COOLING_HOURS}-hour standard "
                     "does not apply", step)
    target, rewarm = utc(case.target_temp_reached), utc(case.rewarming_start)
    if target is not None and rewarm is None and as_of < target + timedelta(minutes=s.COOLING_LONGEST_MIN):
        due = target + s.COOLING
        return Check(code, title, Status.PENDING, f"Cooling in progress: rewarming due {format_clock(due)}", step)
    if target is None or rewarm is None:
        what = "target temperature time" if target is None else "rewarming start"
        return Check(code, title, Status.MISSING, f"Cannot tell: {what} not recorded", step)
    minutes = minutes_between(target, rewarm)
    if not s.cooling_duration_ok(minutes):
        return Check(code, title, Status.BREACH,
                     f"Cooled for {format_duration(minutes)} (target to rewarming), outside "
                     f"{s.COOLING_SHORTEST_H}–{s.COOLING_LONGEST_H} hours, with no early-stop reason", step)
    return Check(code, title, Status.MET, f"Cooled for {format_duration(minutes)} (target to rewarming)", step)


def _rewarming(case: Case, as_of: datetime) -> Check | None:
    code, title, step = "controlled_rewarming", "Rewarming over at least 6 hours", "rewarming_end"
    start, end = utc(case.rewarming_start), utc(case.rewarming_end)
    if start is None:
        return None  # the KPI cohort is babies with a rewarming start
    if end is None:
        return Check(code, title, Status.MISSING, "Rewarming end not recorded", step)
    minutes = minutes_between(start, end)
    if minutes < s.REWARMING_SHORTEST_MIN:
        return Check(code, title, Status.BREACH,
                     f"Rewarming took {format_duration(minutes)}: shorter than 6 hours", step)
    return Check(code, title, Status.MET, f"Rewarming took {format_duration(minutes)}", step)


def _parent_consultation(case: Case, as_of: datetime) -> Check | None:
    code, title, step = ("parent_consultation_24h", "Senior consultation with parents within 24 hours",
                         "parent_consultation_datetime")
    since = admission(case)
    consulted = utc(case.parent_consultation_datetime)
    admitted = "arrival at the cooling centre" if case.is_outborn else "birth"
    if since is None:
        return Check(code, title, Status.MISSING, "Cannot tell: arrival at the cooling centre not recorded", step)
    if consulted is None:
        return Check(code, title, Status.MISSING, "Consultation time not recorded", step)
    minutes = minutes_between(since, consulted)
    if minutes > s.PARENT_CONSULTATION_MIN:
        return Check(code, title, Status.BREACH,
                     f"First senior consultation {format_duration(minutes)} after admission ({admitted}): "
                     "later than 24 hours", step)
    return Check(code, title, Status.MET, f"First senior consultation {format_duration(minutes)} after admission "
                 f"({admitted})", step)


def _mri_window(case: Case, as_of: datetime) -> Check | None:
    code, title, step = ("mri_day5_14", f"MRI on day {s.MRI_FIRST_DAY}–{s.MRI_LAST_DAY} of life",
                         "mri_datetime")
    if case.mri_performed != c.YesNoUnknown.YES:
        return None
    mri = utc(case.mri_datetime)
    if mri is None:
        return Check(code, title, Status.MISSING, "MRI date and time not recorded", step)
    # Measured from birth, not time zero: the window is an age (kpis.md `mri_day5_14`).
    minutes = minutes_between(case.birth_datetime, mri)
    hours = minutes / s.MINUTES_PER_HOUR
    day = int(hours // 24)
    if not s.mri_in_window(minutes):
        return Check(code, title, Status.BREACH,
                     f"MRI at {hours:.0f} h after birth (day {day}): outside day {s.MRI_FIRST_DAY}–{s.MRI_LAST_DAY} "
                     f"({s.MRI_FROM_H} h to under {s.MRI_UNTIL_H} h)", step)
    return Check(code, title, Status.MET, f"MRI at {hours:.0f} h after birth (day {day})", step)


# The KPI outcome each status stands for (kpis.md: a pending check is not decided yet, so the KPI counts it
# as missing). A note is code-specific: a non-servo transfer fails its KPI, an early stop leaves the cohort.
_OUTCOME_OF_STATUS = {Status.MET: "met", Status.BREACH: "not_met", Status.MISSING: "missing",
                      Status.PENDING: "missing"}
_OUTCOME_OF_NOTE = {"servo_cooling_in_transport": "not_met", "cooling_72h_completed": "not_eligible"}
# Checks phrased the other way round from their KPI: "No overcooling" is met when the KPI (overcooled) is not.
_INVERTED = frozenset({"overcooling_before_centre"})
_SWAP = {"met": "not_met", "not_met": "met"}


def kpi_outcome(check: Check | None) -> str:
    """The KPI outcome (kpis.md: met, not_met, missing, not_eligible) this check's verdict amounts to; None
    (no check for the case) is `not_eligible`. The consistency test holds it equal to the stored outcome."""
    if check is None:
        return "not_eligible"
    outcome = _OUTCOME_OF_NOTE[check.code] if check.status == Status.NOTE else _OUTCOME_OF_STATUS[check.status]
    return _SWAP.get(outcome, outcome) if check.code in _INVERTED else outcome


CHECKS = (_cooling_started, _target_reached, _cooling_duration, _rewarming, _parent_consultation, _mri_window)
OUTBORN_CHECKS = (_core_monitoring, _overcooling, _arrival_temperature, _servo_transport)


def checks_for(case: Case, as_of: datetime) -> list[Check]:
    """The standards of a cooled baby; none for a baby who was not cooled (every KPI cohort is TH babies)."""
    if not case.is_cooled:
        return []
    as_of = as_of.astimezone(UTC)
    rules = CHECKS[:2] + (OUTBORN_CHECKS if case.is_outborn else ()) + CHECKS[2:]
    return [found for rule in rules if (found := rule(case, as_of)) is not None]


# --- The timeline ----------------------------------------------------------------------------------------


def build_timeline(case: Case, as_of: datetime) -> Timeline:
    checks = checks_for(case, as_of)
    zero = time_zero(case)
    deadline = zero + s.SIX_HOURS

    def attached(key: str) -> tuple[Check, ...]:
        return tuple(check for check in checks if check.step == key)

    steps = [Step(key, label, at, minutes_between(zero, at), checks=attached(key))
             for key, label in STEP_FIELDS if (at := getattr(case, key)) is not None]
    steps.append(Step(DEADLINE_KEY, "6-hour deadline (time zero + 6 hours)", deadline, s.SIX_HOURS_MIN,
                      is_deadline=True))
    # At the same instant a step comes before the deadline: exactly 360 minutes is inside the 6 hours.
    steps.sort(key=lambda step: (step.minutes, step.is_deadline, _STEP_ORDER.get(step.key, 0)))

    missing = [m for m in missing_fields(case, as_of) if m.field in STEP_LABELS or m.field == "cooling_start"]
    not_recorded = [Step(m.field, STEP_LABELS.get(m.field, m.label), None, why_missing=m.why,
                         checks=attached(m.field)) for m in missing]
    zero_label = "postnatal collapse" if case.postnatal_collapse_datetime else "birth"
    return Timeline(zero, zero_label, deadline, steps, not_recorded, checks)


# --- Transport intervals ---------------------------------------------------------------------------------

# (from, to, label): the referral and transport legs in order, then the spans the KPIs take medians of
# (kpis.md v2 `referral_to_team_arrival_min`, `team_arrival_to_departure_min`).
TRANSPORT_LEGS: tuple[tuple[str, str, str], ...] = (
    ("referral_datetime", "transport_team_mobilised_datetime", "Referral call to team mobilised"),
    ("transport_team_mobilised_datetime", "transport_team_arrived_datetime",
     "Team mobilised to arrival at the bedside"),
    ("transport_team_arrived_datetime", "depart_referring_datetime", "At the bedside to departure (stabilisation)"),
    ("depart_referring_datetime", "arrive_centre_datetime", "Departure to arrival at the cooling centre"),
    ("referral_datetime", "transport_team_arrived_datetime", "Referral call to team at the bedside"),
    ("referral_datetime", "arrive_centre_datetime", "Referral call to arrival at the cooling centre"),
)


@dataclass(frozen=True)
class Interval:
    label: str
    start_label: str
    end_label: str
    minutes: float | None  # None: one end not recorded

    @property
    def text(self) -> str:
        return format_duration(self.minutes) if self.minutes is not None else "Not recorded"


def transport_intervals(case: Case) -> list[Interval]:
    """The referral and transport legs of a case, on instants (a clock change inside a leg is exact);
    empty when none of the transport times is recorded."""
    names = {key for leg in TRANSPORT_LEGS for key in leg[:2]} - {"referral_datetime"}
    if all(getattr(case, name) is None for name in names):
        return []
    intervals = []
    for start, end, label in TRANSPORT_LEGS:
        a, b = getattr(case, start), getattr(case, end)
        minutes = minutes_between(a, b) if a is not None and b is not None else None
        intervals.append(Interval(label, STEP_LABELS[start], STEP_LABELS[end], minutes))
    return intervals


# --- Temperatures --------------------------------------------------------------------------------------


class Reading(Protocol):
    # Read-only, so a stored observation and a frozen test reading both fit.
    @property
    def pk(self) -> int | None: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def temp_c(self) -> Decimal: ...
    @property
    def site(self) -> str: ...

    @property
    def is_core(self) -> bool: ...


@dataclass(frozen=True)
class TemperatureRow:
    pk: int | None
    observed_at: datetime
    minutes: float  # from time zero
    temp_c: Decimal
    site: str
    is_core: bool

    @property
    def when(self) -> str:
        return format_clock(self.observed_at)

    @property
    def from_zero(self) -> str:
        return format_minutes(self.minutes)

    @property
    def site_label(self) -> str:
        return c.TemperatureSite(self.site).label

    @property
    def overcooled(self) -> bool:
        return s.overcooled(self.temp_c)

    @property
    def severe(self) -> bool:
        return self.temp_c < s.SEVERE_OVERCOOLED_BELOW_C

    @property
    def in_range(self) -> bool:
        return s.in_target(self.temp_c)

    @property
    def flags(self) -> list[tuple[str, str]]:
        """(text, NHS.UK tag colour) for each flag; the text says it, the colour only repeats it."""
        found: list[tuple[str, str]] = []
        if self.severe:
            found.append((f"Severely overcooled (below {s.SEVERE_OVERCOOLED_BELOW_C} °C)", "red"))
        elif self.overcooled:
            found.append((f"Overcooled (below {s.OVERCOOLED_BELOW_C} °C)", "red"))
        if self.in_range:
            found.append((f"In target range ({TARGET_TEXT})", "green"))
        if not self.is_core:
            found.append(("Not a core reading: does not count", "grey"))
        return found


def temperature_rows(case: Case, readings: Iterable[Reading]) -> list[TemperatureRow]:
    zero = time_zero(case)
    rows = [TemperatureRow(r.pk, r.observed_at, minutes_between(zero, r.observed_at), r.temp_c, r.site,
                           r.is_core) for r in readings]
    return sorted(rows, key=lambda row: (row.observed_at.astimezone(UTC), row.pk or 0))


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # SVG polyline points of the core readings
    band_top: float  # y of 34.0 °C
    band_height: float  # 34.0 → 33.0 °C
    low: Decimal
    high: Decimal
    count: int


def sparkline(rows: Sequence[TemperatureRow], width: int = 600, height: int = 120, pad: int = 6) -> Sparkline | None:
    """A small server-rendered chart of the core readings over time, with the 33–34 °C band shaded."""
    core = [row for row in rows if row.is_core]
    if not core:
        return None
    temps = [float(row.temp_c) for row in core]
    low, high = min([*temps, 32.5]) - 0.5, max([*temps, 34.5]) + 0.5
    first, last = core[0].minutes, core[-1].minutes
    span = last - first

    def x(minutes: float) -> float:
        return pad + (width - 2 * pad) * ((minutes - first) / span if span else 0.5)

    def y(temp: float) -> float:
        return pad + (height - 2 * pad) * (high - temp) / (high - low)

    points = " ".join(f"{x(row.minutes):.1f},{y(float(row.temp_c)):.1f}" for row in core)
    top = y(float(s.TARGET_HIGH_C))
    return Sparkline(width, height, points, round(top, 1), round(y(float(s.TARGET_LOW_C)) - top, 1),
                     min(row.temp_c for row in core), max(row.temp_c for row in core), len(core))
