"""The aggregates a report covers, with small-number suppression, and their FIXED CSV/XLSX column layout.

Rows: for a network report, every KPI of the network, then of every birth unit and every cooling centre
(the funnel-plot figures); for a unit report, every KPI of the unit, then of the network for comparison.
Within a block rows follow kpis.md order (`kpis.dashboard.ORDER`); a KPI with no stored figure still has
a row, with empty counts. Read only from `KpiAggregate` (one query).

Column layout (version 1; a change is a new version and a README change):

| # | column | content |
|---|---|---|
| 1 | `level` | `network`, `birth_unit` or `cooling_centre` |
| 2 | `org_code` | ODS site code, or `network` |
| 3 | `org_name` | unit short name, or `East of England network` |
| 4 | `period` | period key (`2024`, `2024-Q3`, `R12-2024-07`) |
| 5 | `kpi` | KPI code (kpis.md) |
| 6 | `title` | KPI title |
| 7 | `direction` | `higher`, `lower` or `monitor` (medians: `lower`) |
| 8 | `numerator` | met |
| 9 | `not_met` | not met |
| 10 | `denominator` | met + not met |
| 11 | `not_eligible` | not eligible |
| 12 | `missing` | data missing (never counted as a failure) |
| 13 | `rate` | numerator ÷ denominator, 4 decimal places (0–1) |
| 14 | `ci_low` | 95 % Wilson interval, lower bound, 4 places |
| 15 | `ci_high` | upper bound |
| 16 | `n` | median measures: babies with the time recorded |
| 17 | `median` | minutes, 1 decimal place |
| 18 | `q1` | minutes |
| 19 | `q3` | minutes |
| 20 | `eoe_baseline` | published East of England baseline (rate 0–1, or minutes) |
| 21 | `eoe_2012` | published 2012 figure |
| 22 | `national` | UK figure (rate 0–1) where domain.md gives one |
| 23 | `national_source` | what the national figure is and where it is from |
| 24 | `definition_version` | version of the KPI definition the figure was computed with |
| 25 | `suppressed` | `yes` when any cell of the row is suppressed, else `no` |

Empty cell = no figure. In a report for sharing outside the network, a suppressed count reads `<5`
(`<threshold`), and rate, interval, median and quartiles are empty when a count they come from is suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from kpis.baselines import PUBLISHED
from kpis.dashboard import NETWORK, ORDER
from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from kpis.registry import MEDIANS, REGISTRY
from kpis.wilson import wilson_interval
from reporting import suppression
from reporting.national import NATIONAL
from reporting.suppression import Relation
from units.models import Unit

LAYOUT_VERSION = 1
COLUMNS: tuple[str, ...] = (
    "level", "org_code", "org_name", "period", "kpi", "title", "direction", "numerator", "not_met",
    "denominator", "not_eligible", "missing", "rate", "ci_low", "ci_high", "n", "median", "q1", "q3",
    "eoe_baseline", "eoe_2012", "national", "national_source", "definition_version", "suppressed",
)
COUNT_COLUMNS = ("numerator", "not_met", "denominator", "not_eligible", "missing", "n")
NETWORK_NAME = "East of England network"
_MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)
# Counts that add up from units to the network: every baby has one birth unit; cooling-centre rows hold
# TH babies only, so their not-eligible counts do not add up to the network's.
_ADDS_UP = {Level.BIRTH_UNIT: COUNT_COLUMNS, Level.COOLING_CENTRE: ("numerator", "not_met", "denominator",
                                                                   "missing", "n")}

CellKey = tuple[str, str, str, str]  # level, org_code, kpi, column


@dataclass(frozen=True)
class Scope:
    level: str
    org: Unit | None
    period_key: str

    @property
    def org_code(self) -> str:
        return self.org.ods_code if self.org else NETWORK

    @property
    def name(self) -> str:
        return self.org.short_name if self.org else NETWORK_NAME

    def describe(self) -> str:
        return f"{self.name} ({self.level.replace('_', ' ')}), {self.period_key}"


@dataclass
class FigureRow:
    """One KPI for one organisation, as the fixed layout and the report tables read it."""

    level: str
    org_code: str
    org_name: str
    kpi: str
    aggregate: KpiAggregate | None
    hidden: set[str] = field(default_factory=set)  # suppressed count columns of this row

    @property
    def is_median(self) -> bool:
        return self.kpi in _MEDIAN_CODES

    def count(self, column: str) -> int | None:
        row = self.aggregate
        if row is None:
            return None
        if self.is_median:
            return {"n": row.n, "missing": row.missing, "not_eligible": row.not_eligible}.get(column)
        if column == "not_met":
            return row.denominator - row.numerator
        return None if column == "n" else getattr(row, column)

    @property
    def derived_hidden(self) -> bool:
        """Rate, interval, median and quartiles go when a count they are computed from is suppressed."""
        sources = ("n",) if self.is_median else ("numerator", "not_met", "denominator")
        return suppression.hides_derived(self.hidden, sources)

    def shown(self, column: str) -> str:
        return suppression.display(self.count(column), column, self.hidden, settings.SMALL_NUMBER_THRESHOLD)

    @property
    def interval(self) -> tuple[float, float] | None:
        row = self.aggregate
        if row is None or self.is_median or self.derived_hidden:
            return None
        return wilson_interval(row.numerator, row.denominator)


def _fmt(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def layout_row(row: FigureRow, period_key: str) -> list[str]:
    """One row in the fixed column order (see the module docstring)."""
    definition = REGISTRY[row.kpi]
    agg, hide = row.aggregate, row.derived_hidden
    interval = row.interval
    published, national = PUBLISHED.get(row.kpi), NATIONAL.get(row.kpi)
    return [
        str(row.level), row.org_code, row.org_name, period_key, row.kpi, definition.TITLE,
        "lower" if row.is_median else str(definition.DIRECTION),
        *(row.shown(c) for c in COUNT_COLUMNS[:5]),
        "" if hide or agg is None else _fmt(agg.rate, 4),
        _fmt(interval[0], 4) if interval else "", _fmt(interval[1], 4) if interval else "",
        row.shown("n"),
        *("" if hide or agg is None else _fmt(getattr(agg, c), 1) for c in ("median", "q1", "q3")),
        _fmt(published.baseline, 4) if published else "", _fmt(published.year_2012, 4) if published else "",
        _fmt(national.value, 4) if national else "", f"{national.note}; {national.source}" if national else "",
        str(agg.definition_version) if agg else "",
        "yes" if row.hidden else "no",
    ]


def _orgs(scope: Scope) -> list[tuple[str, str, str]]:
    """(level, org_code, name) blocks in report order."""
    own = (scope.level, scope.org_code, scope.name)
    if scope.level != Level.NETWORK:
        return [own, (Level.NETWORK, NETWORK, NETWORK_NAME)]
    units = Unit.objects.order_by("short_name")
    return [own,
            *((Level.BIRTH_UNIT, u.ods_code, u.short_name) for u in units if not u.is_transport_service),
            *((Level.COOLING_CENTRE, u.ods_code, u.short_name) for u in units if u.is_cooling_centre)]


def figure_rows(scope: Scope, *, external: bool) -> list[FigureRow]:
    """Every row of the report's aggregates, suppressed when the report is for sharing outside."""
    wanted = Q(level=scope.level, org_code=scope.org_code)
    wanted |= Q(level=Level.NETWORK) if scope.level != Level.NETWORK else Q(level__in=list(_ADDS_UP))
    # Only the HIE KPIs: POP and training figures share the table (and would add empty unit blocks).
    stored = {(a.level, a.org_code, a.kpi): a
              for a in KpiAggregate.objects.filter(wanted, kpi__in=ORDER, period_key=scope.period_key)}
    orgs = _orgs(scope)
    if scope.level == Level.NETWORK:
        # Only units that have figures for the period: an empty block says nothing.
        with_rows = {(lvl, code) for lvl, code, _ in stored}
        orgs = [o for o in orgs if o[0] == Level.NETWORK or (o[0], o[1]) in with_rows]
    rows = [FigureRow(level, code, name, kpi, stored.get((level, code, kpi)))
            for level, code, name in orgs for kpi in ORDER]
    if external:
        apply_suppression(rows, settings.SMALL_NUMBER_THRESHOLD, across_units=scope.level == Level.NETWORK)
    return rows


def _relations(rows: Iterable[FigureRow], *, across_units: bool) -> list[Relation[CellKey]]:
    rows = list(rows)
    relations: list[Relation[CellKey]] = []
    for row in rows:
        if not row.is_median:
            key = (row.level, row.org_code, row.kpi)
            relations.append(Relation((*key, "denominator"), ((*key, "numerator"), (*key, "not_met"))))
    if not across_units:
        return relations  # a unit beside the network: the rest of the network is not shown
    networks = {r.kpi: r for r in rows if r.level == Level.NETWORK}
    for level, columns in _ADDS_UP.items():
        for kpi, total in networks.items():
            parts = [r for r in rows if r.level == level and r.kpi == kpi]
            if not parts:
                continue
            for column in columns:
                relations.append(Relation((Level.NETWORK, total.org_code, kpi, column),
                                          tuple((p.level, p.org_code, kpi, column) for p in parts)))
    return relations


def apply_suppression(rows: list[FigureRow], threshold: int, *, across_units: bool) -> None:
    """Mark each row's suppressed columns (primary and secondary, across rows: units add up to the network)."""
    values: dict[CellKey, int | None] = {}
    for row in rows:
        for column in COUNT_COLUMNS:
            count = row.count(column)
            if count is not None:
                values[(row.level, row.org_code, row.kpi, column)] = count
    hidden = suppression.suppress(values, _relations(rows, across_units=across_units), threshold)
    for row in rows:
        row.hidden = {column for (lvl, code, kpi, column) in hidden
                      if (lvl, code, kpi) == (row.level, row.org_code, row.kpi)}
