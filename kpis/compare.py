"""Units side by side: one row per unit, one column per KPI of a group, for one period (the comparison page).

Each cell is the unit's rate with its counts and, when the unit lies outside the funnel plot's control limits
around the network rate (`kpis.charts.funnel`: Σ numerator ÷ Σ denominator over the units, normal
approximation), the words "significantly above the network" or "significantly below the network", coloured
by whether that is better or worse for the KPI (never colour alone). The viewer's own units come first.
KPIs reported by birth cohort are shown for the newest complete birth year (`kpis.cohorts`), as elsewhere.

Issue 18: the rows may be the units of any organisation (`within`), or the organisations of one level above
the unit (trusts × KPIs, networks × KPIs); the network row beside them is the network they sit in (or the
viewer's), and the funnel limits are around the rate of the rows shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from django.db.models import Q

from kpis import cohorts, ondemand
from kpis.charts.funnel import MIN_UNITS, FunnelPoint, Position, network_rate, position
from kpis.dashboard import NETWORK, Figure, birth_cohorts, in_period
from kpis.definitions.base import ROLLUP_LEVELS, Level
from kpis.explain import BY_CODE, Explanation
from kpis.models import KpiAggregate
from kpis.outcome import Direction
from kpis.periods import Period, PeriodType
from kpis.registry import KPIS
from units.models import Designation, Unit


@dataclass(frozen=True)
class Group:
    slug: str
    title: str
    codes: tuple[str, ...]


_LISTED: Final = (
    Group("cooling", "Cooling in the first 6 hours", (
        "cooling_started_6h", "target_temp_6h", "core_monitoring_before_transfer", "overcooling_before_centre",
        "arrival_temp_in_range", "servo_cooling_in_transport")),
    Group("centre", "Care at the cooling centre", (
        "cooling_72h_completed", "controlled_rewarming", "parent_consultation_24h", "placenta_sent",
        "mri_before_discharge", "mri_day5_14")),
    Group("after", "Referral, follow-up and outcomes", (
        "mnsi_referral", "followup_2y", "family_booklet_given", "mortality_before_discharge",
        "cooled_outside_criteria")),
)


def groups() -> tuple[Group, ...]:
    """The groups, with any rate KPI they do not list (a newly added definition) in a last group."""
    listed = {code for group in _LISTED for code in group.codes}
    other = tuple(d.CODE for d in KPIS if d.CODE not in listed)
    present = tuple(Group(g.slug, g.title, tuple(c for c in g.codes if c in BY_CODE)) for g in _LISTED)
    return (*present, Group("other", "Other measures", other)) if other else present


@dataclass(frozen=True)
class Cell:
    code: str
    figure: Figure | None
    where: Position | None  # None: no rate, or fewer than two units to compare
    above: bool
    direction: Direction

    @property
    def text(self) -> str:
        if self.where is None or self.where is Position.WITHIN:
            return ""
        return f"Significantly {'above' if self.above else 'below'} the network"

    @property
    def tone(self) -> str:
        """"better", "worse" or "neutral" (a monitored KPI), "" when within the limits."""
        if not self.text:
            return ""
        if self.direction == Direction.MONITOR:
            return "neutral"
        return "better" if self.above == (self.direction == Direction.HIGHER) else "worse"

    @property
    def strength(self) -> str:
        """Which limit: 95% (about 1 in 20 by chance) or 99.8% (about 1 in 500)."""
        return {Position.OUTSIDE_95: "95%", Position.OUTSIDE_998: "99.8%"}.get(self.where, "") if self.where else ""


@dataclass(frozen=True)
class Column:
    explanation: Explanation
    cohort: Period | None
    network: Figure | None

    @property
    def code(self) -> str:
        return self.explanation.code

    @property
    def cohort_text(self) -> str:
        return cohorts.label(self.cohort) if self.cohort else ""


@dataclass(frozen=True)
class Member:
    """One row's organisation: a unit or an organisation above it, named as a `Unit`'s fields so a row reads
    the same whichever it is."""

    level: Level
    ods_code: str  # the unit's ODS code, or the organisation's code
    short_name: str

    @classmethod
    def of_unit(cls, level: Level, unit: Unit) -> Member:
        return cls(level, unit.ods_code, unit.short_name)

    @property
    def is_unit(self) -> bool:
        return self.level not in ROLLUP_LEVELS


@dataclass(frozen=True)
class Row:
    unit: Member
    mine: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Comparison:
    level: Level
    period: Period
    group: Group
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def comparison(*, level: Level, period: Period, group: Group, mine: Iterable[str], run_date: date | None,
               members: Sequence[Member] | None = None, network: str | None = None) -> Comparison:
    """The table for the organisations at `level` (birth units or cooling centres by default; `members` lists
    the rows, e.g. the units of one trust or every network); `mine` are the viewer's ODS codes; `network` is
    the code of the network shown beside them (none for rows that are networks or regions)."""
    cohort_of = {code: c for code, c in birth_cohorts(period, run_date).items() if code in group.codes}
    rows = _rows(level, period, group.codes, cohort_of, network)
    network_figures = {r.kpi: Figure(r) for r in rows if r.level == NETWORK and r.org_code == network}
    listed = None if members is None else {m.ods_code for m in members}
    by_unit: dict[str, dict[str, KpiAggregate]] = {}
    for row in rows:
        if row.level == level and (listed is None or row.org_code in listed):
            by_unit.setdefault(row.org_code, {})[row.kpi] = row
    centres = {code: _centre([units[code] for units in by_unit.values() if code in units]) for code in group.codes}
    own = set(mine)
    shown = list(members) if members is not None else [Member.of_unit(level, u) for u in _units(level, set(by_unit))]
    table = tuple(Row(unit, unit.ods_code in own, tuple(
        _cell(code, by_unit.get(unit.ods_code, {}).get(code), centres[code]) for code in group.codes))
        for unit in sorted(shown, key=lambda u: (u.ods_code not in own, u.short_name)))
    columns = tuple(Column(BY_CODE[code], cohort_of.get(code), network_figures.get(code)) for code in group.codes)
    return Comparison(level, period, group, columns, table)


def mine_first(table: Comparison, mine: Iterable[str]) -> Comparison:
    """The same table with the viewer's units marked and first (the rest stay in name order)."""
    own = set(mine)
    rows = sorted((replace(row, mine=row.unit.ods_code in own) for row in table.rows),
                  key=lambda row: (not row.mine, row.unit.short_name))
    return replace(table, rows=tuple(rows))


def _rows(level: Level, period: Period, codes: Sequence[str], cohort_of: Mapping[str, Period], network: str | None
          ) -> list[KpiAggregate]:
    """The period's figures of the group's KPIs, at the level and the network shown beside (one query, or
    counted on demand for a custom range; birth-cohort KPIs from their stored year)."""
    stored = (KpiAggregate.objects.filter(Q(level=level) | Q(level=NETWORK, org_code=network or ""),
                                          kpi__in=list(codes)).select_related("org"))
    if period.type != PeriodType.CUSTOM:
        return list(stored.filter(in_period(period.key, cohort_of)))
    counted = [r for r in ondemand.figures(period, level=level) if r.kpi in codes and r.kpi not in cohort_of]
    if network:
        counted += [r for r in ondemand.figures(period, level=Level.NETWORK, org_code=network)
                    if r.kpi in codes and r.kpi not in cohort_of]
    return counted + (list(stored.filter(in_period("", cohort_of))) if cohort_of else [])


def _centre(rows: Sequence[KpiAggregate]) -> float | None:
    """The funnel plot's centre: the network rate over the units with eligible babies (None below two)."""
    points = [FunnelPoint(r.org_code, r.numerator, r.denominator) for r in rows if r.denominator > 0]
    return network_rate(points) if len(points) >= MIN_UNITS else None


def _cell(code: str, row: KpiAggregate | None, centre: float | None) -> Cell:
    direction = BY_CODE[code].direction
    if row is None or row.rate is None or centre is None:
        return Cell(code, Figure(row) if row else None, None, False, direction)
    where = position(FunnelPoint(row.org_code, row.numerator, row.denominator), centre)
    return Cell(code, Figure(row), where, row.rate > centre, direction)


def _units(level: Level, with_figures: set[str]) -> list[Unit]:
    """Every active unit at the level (a unit without babies in the period is listed, as "No babies"), and any
    unit with figures there (a unit since closed keeps its row for the periods it had babies in)."""
    units = Unit.objects.filter(Q(active=True) & ~Q(designation=Designation.TRANSPORT) | Q(ods_code__in=with_figures))
    return list(units.filter(is_cooling_centre=True) if level == Level.COOLING_CENTRE else units)


def csv_rows(table: Comparison) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The table as data: one line per unit and KPI, with counts and the comparison in words."""
    header = ("Unit", "ODS code", "KPI", "Period", "Met", "Eligible", "Missing", "Rate", "Compared with the network")
    lines: list[tuple[str, ...]] = []
    for row in table.rows:
        for column, cell in zip(table.columns, row.cells, strict=True):
            figure = cell.figure
            period = column.cohort.label if column.cohort else table.period.label
            counts = ((str(figure.row.numerator), str(figure.row.denominator), str(figure.row.missing),
                       figure.text) if figure else ("", "", "", "No babies"))
            lines.append((row.unit.short_name, row.unit.ods_code, column.explanation.title, period, *counts,
                          f"{cell.text} ({cell.strength} limits)" if cell.text else "Within the limits"))
    return header, lines
