"""What the KPI dashboards show, read only from stored aggregates (issue 3: "never compute on page load").

Every builder here runs a fixed number of queries whatever the data size: one per kind of row it needs
(the period's figures, the previous period's figures for the trend, the run record). The arithmetic left
for page time is per figure and tiny: a Wilson interval (kpis.md "Conventions") and a difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from core import memo
from kpis import cohorts, ondemand
from kpis.aims import Aim
from kpis.baselines import PUBLISHED, Published
from kpis.definitions.base import Level
from kpis.explain import BY_CODE as EXPLANATIONS
from kpis.explain import Explanation
from kpis.freshness import Freshness
from kpis.freshness import freshness as producer_freshness
from kpis.models import HIE, KpiAggregate
from kpis.outcome import Direction
from kpis.periods import STORED_TYPES, Period, PeriodType, parse_period_key, previous_period
from kpis.registry import KPIS, MEDIANS, RATE_PER, REGISTRY
from kpis.versions import figures_version as figures_version  # improvement keys its cache with it
from kpis.wilson import wilson_interval

NETWORK = Level.NETWORK  # the level; its figures are stored per network, under the network's code (issue 18)
ORDER = [*(d.CODE for d in KPIS), *(d.CODE for d in MEDIANS)]


# --- Freshness ----------------------------------------------------------------------------------------------


def freshness(now: datetime | None = None) -> Freshness:
    """The HIE figures' "data as of" and warnings (`kpis.freshness`: POP and training runs are not counted)."""
    return producer_freshness(HIE, now)


# --- Periods --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    type: str
    start: date
    end: date

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, PeriodType(self.type), self.key)

    @property
    def label(self) -> str:
        return self.period.label


def period_label(period: Period) -> str:
    """How people read the period (`kpis.periods.Period.label`)."""
    return period.label


def available_periods() -> dict[str, list[PeriodChoice]]:
    """Stored network periods by type, newest first (keys sort chronologically within a type), with the
    dates they were computed for (the run-date window's start and end depend on the run date)."""
    rows = (KpiAggregate.objects.filter(level=NETWORK)
            .values_list("period_type", "period_key", "period_start", "period_end")
            .distinct().order_by("period_type", "-period_key"))
    choices: dict[str, list[PeriodChoice]] = {t.value: [] for t in PeriodType}
    for kind, key, start, end in rows:
        choices[kind].append(PeriodChoice(key, kind, start, end))
    return choices


def cached_periods(version: str) -> dict[str, list[PeriodChoice]]:
    """`available_periods`, worked out once per version of the figures (`kpis.versions.page_version`)."""
    return memo.remember("kpis.available_periods", version, available_periods)


def stored_period(key: str) -> Period:
    """The period as its stored figures were computed (one query); the key's calendar reading otherwise."""
    row = KpiAggregate.objects.filter(period_key=key).values_list("period_type", "period_start", "period_end").first()
    if row is None:
        return parse_period_key(key)
    return Period(row[1], row[2], PeriodType(row[0]), key)


def choice_label(period: str | None, choices: dict[str, list[PeriodChoice]]) -> str:
    """The label of a stored period ("12 months to 23 November 2026"), or "" when it is not stored."""
    return next((c.label for kind in choices.values() for c in kind if c.key == period), "")


def default_period(choices: dict[str, list[PeriodChoice]]) -> str | None:
    """The newest rolling 12 months (the run date's window), else the newest of any stored type."""
    for kind in STORED_TYPES:
        if choices.get(kind):
            return choices[kind][0].key
    return None


def previous_key(key: str) -> str:
    """The period a trend compares with: the one just before, of the same kind and length."""
    return previous_period(parse_period_key(key)).key


def resolve_period(key: str, choices: dict[str, list[PeriodChoice]]) -> Period | None:
    """A stored period as computed (the run date's window ends mid-month), or a custom range; else None."""
    for kind in choices.values():
        for choice in kind:
            if choice.key == key:
                return choice.period
    try:
        period = parse_period_key(key)
    except ValueError:
        return None
    return period if period.type == PeriodType.CUSTOM else None


# --- Figures -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One stored aggregate as people read it."""

    row: KpiAggregate

    @property
    def is_median(self) -> bool:
        return self.row.n is not None

    @property
    def interval(self) -> tuple[float, float] | None:
        return None if self.is_median else wilson_interval(self.row.numerator, self.row.denominator)

    @property
    def value(self) -> float | None:
        """The figure compared over time: the rate, or the median in minutes."""
        return self.row.median if self.is_median else self.row.rate

    @property
    def text(self) -> str:
        if self.is_median:
            if self.row.median is None:
                return "No data"
            return f"{self.row.median:.0f} min (IQR {self.row.q1:.0f}–{self.row.q3:.0f})"
        per = RATE_PER.get(self.row.kpi)
        if self.row.rate is None:
            return "No live-births figure" if per else "No eligible babies"
        return f"{self.row.rate * per:.2f} per {per:,}" if per else f"{self.row.rate:.0%}"

    @property
    def interval_text(self) -> str:
        interval = self.interval
        if interval and (per := RATE_PER.get(self.row.kpi)):
            return f"{interval[0] * per:.2f}–{interval[1] * per:.2f}"
        return f"{interval[0]:.0%}–{interval[1]:.0%}" if interval else ""

    @property
    def n(self) -> int:
        return self.row.n if self.is_median and self.row.n is not None else self.row.denominator


@dataclass(frozen=True)
class Trend:
    change: float  # percentage points for a rate, minutes for a median
    better: bool | None  # None: no change, or a KPI that is only monitored
    unit: str  # "points" or "min"

    @property
    def text(self) -> str:
        if self.change == 0:
            return "No change"
        arrow = "▲" if self.change > 0 else "▼"
        verdict = "" if self.better is None else (" (better)" if self.better else " (worse)")
        size = f"{abs(self.change):.2f}" if self.unit.startswith("per ") else f"{abs(self.change):.0f}"
        unit = "point" if self.unit == "points" and size == "1" else self.unit
        return f"{arrow} {size} {unit}{verdict}"


def trend(current: Figure | None, previous: Figure | None, direction: Direction) -> Trend | None:
    if current is None or previous is None or current.value is None or previous.value is None:
        return None
    minutes = current.is_median
    per = RATE_PER.get(current.row.kpi)  # a rate per 1,000 live births changes by so many per 1,000
    scale = per or 100
    change = current.value - previous.value if minutes else (current.value - previous.value) * scale
    if change == 0 or direction == Direction.MONITOR:
        better = None
    else:
        # A median time is better when it falls; a rate by its KPI's direction.
        better = (change < 0) if (minutes or direction == Direction.LOWER) else (change > 0)
    unit = "min" if minutes else (f"per {per:,}" if per else "points")
    return Trend(round(change, 2 if per else 1), better, unit)


@dataclass(frozen=True)
class KpiLine:
    """One KPI on a dashboard: the figure, what to compare it with, the trend, what it means and the aim."""

    code: str
    title: str
    direction: Direction
    is_median: bool
    figure: Figure | None
    previous: Figure | None
    network: Figure | None
    published: Published | None
    explanation: Explanation | None = None
    aim: Aim | None = None
    cohort: Period | None = None  # an outcome shown for this birth cohort instead of the period asked for

    @property
    def trend(self) -> Trend | None:
        return trend(self.figure, self.previous, self.direction)

    @property
    def direction_text(self) -> str:
        if self.is_median:
            return "Lower is better"
        return {Direction.HIGHER: "Higher is better", Direction.LOWER: "Lower is better"}.get(
            self.direction, "Monitored (no target direction)")

    @property
    def aim_met(self) -> bool | None:
        """Whether the figure meets the network aim; None without an aim or a figure."""
        if self.aim is None or self.figure is None:
            return None
        return self.aim.met_by(self.figure.value)

    @property
    def cohort_text(self) -> str:
        return cohorts.label(self.cohort) if self.cohort else ""


def _by_code(rows: Iterable[KpiAggregate]) -> dict[str, Figure]:
    return {row.kpi: Figure(row) for row in rows}


def kpi_lines(current: Iterable[KpiAggregate], previous: Iterable[KpiAggregate] = (),
              network: Iterable[KpiAggregate] = (), *, aims: Mapping[str, Aim] | None = None,
              cohort_of: Mapping[str, Period] | None = None) -> list[KpiLine]:
    """Lines in kpis.md order; a KPI with no stored figure still gets a line (shown as "no data")."""
    now, before, net = _by_code(current), _by_code(previous), _by_code(network)
    aims, cohort_of = aims or {}, cohort_of or {}
    lines = []
    for code in ORDER:
        definition = REGISTRY[code]
        lines.append(KpiLine(code, definition.TITLE, definition.DIRECTION, code in _MEDIAN_CODES, now.get(code),
                             before.get(code), net.get(code), PUBLISHED.get(code), EXPLANATIONS.get(code),
                             aims.get(code), cohort_of.get(code)))
    return lines


_MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)


def is_rate_kpi(code: str) -> bool:
    return code in REGISTRY and code not in _MEDIAN_CODES


def org_rows(*, level: str, org_code: str, period_key: str) -> list[KpiAggregate]:
    return list(KpiAggregate.objects.filter(level=level, org_code=org_code, period_key=period_key))


def org_lines(*, level: str, org_code: str, period_key: str, aims: Mapping[str, Aim] | None = None,
              cohorts_as_of: date | None = None, beside: str | None = None) -> list[KpiLine]:
    """An organisation's figures for a period (a unit, or any level above it: issue 18), with the previous
    period and, beside them, the figures of the network with code `beside` (none when it is the page's own).

    Two queries: this period (the organisation's and the network's rows together) and the previous one. With
    `cohorts_as_of` (the run date), an outcome reported by birth cohort whose period is not complete on that
    date is shown for the newest complete birth year instead (`kpis.cohorts`), its rows read in the same two
    queries. A custom range is counted on demand (`kpis.ondemand`).
    """
    period = parse_period_key(period_key)
    cohort_of = birth_cohorts(period, cohorts_as_of)
    if (level, org_code) == (NETWORK, beside):
        beside = None
    if period.type == PeriodType.CUSTOM:
        return _custom_lines(period, Level(level), org_code, aims, cohort_of, beside)
    previous = previous_period(period)
    wanted = Q(level=level, org_code=org_code) | Q(level=NETWORK, org_code=beside or "")
    rows = list(KpiAggregate.objects.filter(wanted, in_period(period.key, cohort_of)))
    before = KpiAggregate.objects.filter(in_period(previous.key, previous_cohorts(cohort_of)), level=level,
                                         org_code=org_code)
    own = [r for r in rows if r.level == level and r.org_code == org_code and _shown(r, period.key, cohort_of)]
    net = [r for r in rows if r.level == NETWORK and r.org_code == beside and _shown(r, period.key, cohort_of)]
    return kpi_lines(own, before, net, aims=aims, cohort_of=cohort_of)


def birth_cohorts(period: Period, as_of: date | None) -> dict[str, Period]:
    """KPI code → the complete birth year shown instead of `period` (none without a run date)."""
    if as_of is None:
        return {}
    found = {code: cohorts.cohort_for(code, period, as_of) for code in cohorts.MIN_AGE_MONTHS}
    return {code: cohort for code, cohort in found.items() if cohort is not None}


def previous_cohorts(cohort_of: Mapping[str, Period]) -> dict[str, Period]:
    return {code: previous_period(cohort) for code, cohort in cohort_of.items()}


def in_period(key: str, cohort_of: Mapping[str, Period]) -> Q:
    """Rows of the period, except the birth-cohort KPIs, whose rows are those of their cohort."""
    query = Q(period_key=key) & ~Q(kpi__in=list(cohort_of))
    for code, cohort in cohort_of.items():
        query |= Q(kpi=code, period_key=cohort.key)
    return query


def _shown(row: KpiAggregate, key: str, cohort_of: Mapping[str, Period]) -> bool:
    cohort = cohort_of.get(row.kpi)
    return row.period_key == (cohort.key if cohort else key)


def _custom_lines(period: Period, level: Level, org_code: str, aims: Mapping[str, Aim] | None,
                  cohort_of: Mapping[str, Period], beside: str | None) -> list[KpiLine]:
    """A custom range: counted from the stored per-case outcomes; birth-cohort KPIs from their stored year."""
    own = ondemand.figures(period, level=level, org_code=org_code)
    before = ondemand.figures(previous_period(period), level=level, org_code=org_code)
    net = ondemand.figures(period, level=Level.NETWORK, org_code=beside) if beside else []
    if cohort_of:
        stored = list(KpiAggregate.objects.filter(in_period("", cohort_of), level__in=[level, NETWORK],
                                                  org_code__in=[org_code, beside or ""]))
        own = [r for r in own if r.kpi not in cohort_of] + [r for r in stored
                                                           if (r.level, r.org_code) == (level, org_code)]
        net = [r for r in net if r.kpi not in cohort_of] + [r for r in stored
                                                           if (r.level, r.org_code) == (NETWORK, beside)]
        before = [r for r in before if r.kpi not in cohort_of]
    return kpi_lines(own, before, net, aims=aims, cohort_of=cohort_of)


# --- Funnel and run chart data -----------------------------------------------------------------------------------


def unit_rows(*, code: str, level: str, period_key: str) -> list[KpiAggregate]:
    """Every organisation's figure for one KPI and period at a level (funnel plot), with unit names."""
    return list(KpiAggregate.objects.filter(kpi=code, level=level, period_key=period_key)
                .select_related("org").order_by("org_code"))


def unit_rows_for(*, code: str, level: str, period: Period) -> list[KpiAggregate]:
    """`unit_rows` of a stored period, or counted on demand for a custom range."""
    if period.type != PeriodType.CUSTOM:
        return unit_rows(code=code, level=level, period_key=period.key)
    return [row for row in ondemand.figures(period, level=Level(level)) if row.kpi == code]


def series(*, code: str, level: str, org_code: str, period_type: str) -> list[KpiAggregate]:
    """One KPI for one organisation over time (run chart), oldest first."""
    return list(KpiAggregate.objects.filter(kpi=code, level=level, org_code=org_code, period_type=period_type)
                .order_by("period_start"))


def levels() -> Sequence[str]:
    return [level.value for level in Level]


def period_bounds(period_key: str) -> tuple[date, date]:
    period = parse_period_key(period_key)
    return period.start, period.end
