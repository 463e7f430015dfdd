"""What the KPI dashboards show, read only from stored aggregates (issue 3: "never compute on page load").

Every builder here runs a fixed number of queries whatever the data size: one per kind of row it needs
(the period's figures, the previous period's figures for the trend, the run record). The arithmetic left
for page time is per figure and tiny: a Wilson interval (kpis.md "Conventions") and a difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max, Q

from kpis.baselines import PUBLISHED, Published
from kpis.definitions.base import Level
from kpis.freshness import Freshness
from kpis.freshness import freshness as producer_freshness
from kpis.models import HIE, KpiAggregate, KpiRun
from kpis.outcome import Direction
from kpis.periods import Period, PeriodType, add_months, month_end, parse_period_key
from kpis.registry import KPIS, MEDIANS, REGISTRY
from kpis.wilson import wilson_interval

NETWORK = "network"
# The previous period a trend compares with: the one just before, of the same length, not overlapping.
_STEP_MONTHS = {PeriodType.YEAR: 12, PeriodType.QUARTER: 3, PeriodType.MONTH: 1, PeriodType.ROLLING_12M: 12}
ORDER = [d.CODE for d in (*KPIS, *MEDIANS)]


# --- Freshness ----------------------------------------------------------------------------------------------


def freshness(now: datetime | None = None) -> Freshness:
    """The HIE figures' "data as of" and warnings (`kpis.freshness`: POP and training runs are not counted)."""
    return producer_freshness(HIE, now)


def figures_version() -> str:
    """A token that changes whenever the stored figures may have changed (for `core.memo.remember`).

    Every producer (HIE, POP, training) writes inside a KpiRun and replaces its rows by deleting and
    bulk-creating them, so a new row id or a newly finished run marks every change; both maxima come from
    indexes or a small table (two cheap queries, no count of the figures table).
    """
    rows = KpiAggregate.objects.aggregate(last=Max("id"))
    runs = KpiRun.objects.aggregate(last=Max("id"), finished=Max("finished_at"))
    finished = runs["finished"].isoformat() if runs["finished"] else "-"
    return f"{rows['last'] or 0}.{runs['last'] or 0}.{finished}"


# --- Periods --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    type: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return period_label(Period(self.start, self.end, PeriodType(self.type), self.key))


def period_label(period: Period) -> str:
    if period.type == PeriodType.ROLLING_12M:
        # The window ending on the run date ends mid-month: say the day.
        return f"12 months to {period.end:%-d %B %Y}" if period.end != month_end(period.end) else \
            f"12 months to {period.end:%B %Y}"
    if period.type == PeriodType.MONTH:
        return f"{period.start:%B %Y}"
    if period.type == PeriodType.QUARTER:
        return f"{period.key[-2:]} {period.key[:4]} ({period.start:%b}–{period.end:%b})"
    return period.key


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
    """The newest rolling 12 months (the run date's window), else the newest of any type."""
    for kind in (PeriodType.ROLLING_12M, PeriodType.YEAR, PeriodType.QUARTER, PeriodType.MONTH):
        if choices.get(kind):
            return choices[kind][0].key
    return None


def previous_key(key: str) -> str:
    period = parse_period_key(key)
    start = add_months(period.start, -_STEP_MONTHS[PeriodType(period.type)])
    if period.type == PeriodType.YEAR:
        return f"{start.year}"
    if period.type == PeriodType.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if period.type == PeriodType.MONTH:
        return f"{start:%Y-%m}"
    return f"R12-{add_months(period.end.replace(day=1), -12):%Y-%m}"


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
        if self.row.rate is None:
            return "No eligible babies"
        return f"{self.row.rate:.0%}"

    @property
    def interval_text(self) -> str:
        interval = self.interval
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
        return f"{arrow} {abs(self.change):.0f} {self.unit}{verdict}"


def trend(current: Figure | None, previous: Figure | None, direction: Direction) -> Trend | None:
    if current is None or previous is None or current.value is None or previous.value is None:
        return None
    minutes = current.is_median
    change = current.value - previous.value if minutes else (current.value - previous.value) * 100
    if change == 0 or direction == Direction.MONITOR:
        better = None
    else:
        # A median time is better when it falls; a rate by its KPI's direction.
        better = (change < 0) if (minutes or direction == Direction.LOWER) else (change > 0)
    return Trend(round(change, 1), better, "min" if minutes else "points")


@dataclass(frozen=True)
class KpiLine:
    """One KPI on a dashboard: the figure, what to compare it with, and the trend."""

    code: str
    title: str
    direction: Direction
    is_median: bool
    figure: Figure | None
    previous: Figure | None
    network: Figure | None
    published: Published | None

    @property
    def trend(self) -> Trend | None:
        return trend(self.figure, self.previous, self.direction)

    @property
    def direction_text(self) -> str:
        if self.is_median:
            return "Lower is better"
        return {Direction.HIGHER: "Higher is better", Direction.LOWER: "Lower is better"}.get(
            self.direction, "Monitored (no target direction)")


def _by_code(rows: Iterable[KpiAggregate]) -> dict[str, Figure]:
    return {row.kpi: Figure(row) for row in rows}


def kpi_lines(current: Iterable[KpiAggregate], previous: Iterable[KpiAggregate] = (),
              network: Iterable[KpiAggregate] = ()) -> list[KpiLine]:
    """Lines in kpis.md order; a KPI with no stored figure still gets a line (shown as "no data")."""
    now, before, net = _by_code(current), _by_code(previous), _by_code(network)
    lines = []
    for code in ORDER:
        definition = REGISTRY[code]
        lines.append(KpiLine(code, definition.TITLE, definition.DIRECTION, code in _MEDIAN_CODES, now.get(code),
                             before.get(code), net.get(code), PUBLISHED.get(code)))
    return lines


_MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)


def is_rate_kpi(code: str) -> bool:
    return code in REGISTRY and code not in _MEDIAN_CODES


def org_rows(*, level: str, org_code: str, period_key: str) -> list[KpiAggregate]:
    return list(KpiAggregate.objects.filter(level=level, org_code=org_code, period_key=period_key))


def org_lines(*, level: str, org_code: str, period_key: str) -> list[KpiLine]:
    """A unit's (or the network's) figures for a period, with the previous period and the network beside.

    Two queries: this period (the organisation's and the network's rows together) and the previous one.
    """
    wanted = Q(level=level, org_code=org_code) | Q(level=NETWORK, org_code=NETWORK)
    rows = list(KpiAggregate.objects.filter(wanted, period_key=period_key))
    before = KpiAggregate.objects.filter(level=level, org_code=org_code, period_key=previous_key(period_key))
    own = [r for r in rows if r.level == level and r.org_code == org_code]
    net = [r for r in rows if r.level == NETWORK] if level != NETWORK else []
    return kpi_lines(own, before, net)


# --- Funnel and run chart data -----------------------------------------------------------------------------------


def unit_rows(*, code: str, level: str, period_key: str) -> list[KpiAggregate]:
    """Every organisation's figure for one KPI and period at a level (funnel plot), with unit names."""
    return list(KpiAggregate.objects.filter(kpi=code, level=level, period_key=period_key)
                .select_related("org").order_by("org_code"))


def series(*, code: str, level: str, org_code: str, period_type: str) -> list[KpiAggregate]:
    """One KPI for one organisation over time (run chart), oldest first."""
    return list(KpiAggregate.objects.filter(kpi=code, level=level, org_code=org_code, period_type=period_type)
                .order_by("period_start"))


def levels() -> Sequence[str]:
    return [level.value for level in Level]


def period_bounds(period_key: str) -> tuple[date, date]:
    period = parse_period_key(period_key)
    return period.start, period.end
