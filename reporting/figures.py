"""The figures a report covers, for any report period, with the small-number policy, and the fixed column
layout of the figures CSV (and the "Figures by unit" sheet).

Figures are the stored KPI rows (`KpiAggregate`). A calendar year or quarter, and a financial quarter (a
calendar quarter by another name), read their stored rows. A financial year, until the KPI engine stores
one, adds up its twelve stored months: counts add exactly (each baby is in one birth month), and the
medians, which do not add up, come from the babies' stored per-case minutes (`CaseOutcome`).

Rows: for a network report, every KPI of the network, then of every birth unit and cooling centre with a
figure; for a unit report, the unit, then the network for comparison. Within a block rows follow the KPI
order of the dashboards.

Column layout (version 2; a change is a new version and a README change). Plain words only: the file is read
by people as well as programs, and every organisation is named as well as coded.

| # | column | content |
|---|---|---|
| 1 | Level | Network, Birth unit or Cooling centre |
| 2 | Organisation code | ODS site code (empty for the network) |
| 3 | Organisation | unit name, or East of England network |
| 4 | Period | as the report names it, e.g. "2024/25 (April 2024 to March 2025)" |
| 5 | Measure | KPI title |
| 6 | Better when | higher, lower, or monitored |
| 7 | Met | babies who met it |
| 8 | Not met | |
| 9 | Eligible | met + not met |
| 10 | Not eligible | |
| 11 | Missing | data missing (never counted as a failure) |
| 12 | Rate (%) | met ÷ eligible, per cent, 1 decimal place |
| 13 | 95% interval low (%) | Wilson score interval |
| 14 | 95% interval high (%) | |
| 15 | Babies timed | median measures: babies with the time recorded |
| 16 | Median (minutes) | 1 decimal place |
| 17 | Lower quartile (minutes) | |
| 18 | Upper quartile (minutes) | |
| 19 | East of England baseline | the published pre-pathway figure (per cent, or minutes) |
| 20 | East of England 2012 | |
| 21 | National (%) | UK figure where one is published |
| 22 | National figure | what the national figure is and where it is from |
| 23 | Definition version | version of the KPI definition the figure was computed with |
| 24 | Small numbers hidden | `HIDDEN_ROW` ("yes: [c] = …") when any cell of the row is hidden, else no |

Empty cell = no figure. In a report for sharing outside the network every hidden cell reads "[c]"
(confidential, `reporting.suppression.MARK`; `reporting.policy`): a small count, a count of any size hidden
to protect one, and the rate, interval, median and quartiles worked out from a hidden count. A CSV has no
place for a note beside a table, so column 24 of a row holding a "[c]" says what it means. Version 3:
hidden cells were "<5" and derived figures empty in version 2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet, Sum

from kpis import medians
from kpis.baselines import PUBLISHED
from kpis.dashboard import ORDER
from kpis.definitions.base import Level
from kpis.models import CaseOutcome, KpiAggregate
from kpis.periods import PeriodType, london_midnight
from kpis.registry import MEDIANS, REGISTRY
from kpis.wilson import wilson_interval
from reporting import scope as report_scope
from reporting import suppression
from reporting.national import NATIONAL
from reporting.periods import ReportPeriod
from reporting.policy import Policy
from reporting.suppression import Relation
from units.hierarchy import HIERARCHY_LEVELS, Hierarchy
from units.models import Unit

LAYOUT_VERSION = 3
COLUMNS: tuple[str, ...] = (
    "Level", "Organisation code", "Organisation", "Period", "Measure", "Better when", "Met", "Not met", "Eligible",
    "Not eligible", "Missing", "Rate (%)", "95% interval low (%)", "95% interval high (%)", "Babies timed",
    "Median (minutes)", "Lower quartile (minutes)", "Upper quartile (minutes)", "East of England baseline",
    "East of England 2012", "National (%)", "National figure", "Definition version", "Small numbers hidden",
)
# Column 24 of a row with a hidden cell: starts with "yes" (as in version 2) and says what "[c]" means, since a
# CSV can hold no note beside its rows.
HIDDEN_ROW = f"yes: {suppression.MARK} = not shown to protect confidentiality; it may stand for any number"
COUNT_COLUMNS = ("numerator", "not_met", "denominator", "not_eligible", "missing", "n")
NETWORK_NAME = "East of England network"
LEVEL_NAMES = report_scope.LEVEL_NAMES
MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)
# The unit levels whose rows a report may print below an area's (`families`).
_UNIT_LEVELS = (Level.BIRTH_UNIT, Level.COOLING_CENTRE)

CellKey = tuple[str, str, str, str]  # level, org_code, kpi, column


@dataclass(frozen=True)
class Scope:
    """A report's level and organisation (`reporting.scope`) and its period. For an area (region, network,
    ICB, LMNS, trust): its code ("" for the deployment's one network, as reports made before levels), its
    name, and its units' ODS codes (None: every unit)."""

    level: str
    org: Unit | None
    period: ReportPeriod
    code: str = ""
    title: str = ""
    units: tuple[str, ...] | None = None

    @classmethod
    def deployment_network(cls, period: ReportPeriod) -> Scope:
        """The deployment's first network with every unit (the impact page, the monthly report), its code and
        name read once here: left empty, `org_code` and `name` would look them up on every read."""
        code = report_scope.default_network_code()
        return cls(Level.NETWORK, None, period, code, report_scope.area_name(Level.NETWORK, code) if code else "")

    @property
    def is_unit(self) -> bool:
        return self.level in report_scope.UNIT_LEVELS

    @property
    def org_code(self) -> str:
        return self.org.ods_code if self.org else report_scope.row_code(self.level, self.code)

    @property
    def name(self) -> str:
        if self.org is not None:
            return self.org.short_name
        if self.title:
            return self.title
        code = self.code or (report_scope.default_network_code() if self.level == Level.NETWORK else "")
        return report_scope.area_name(self.level, code) if code else NETWORK_NAME

    @property
    def units_covered(self) -> tuple[str, ...] | None:
        """The units whose records the report covers: the unit itself, or the area's (None: every unit)."""
        return (self.org.ods_code,) if self.org is not None else self.units

    def describe(self) -> str:
        return f"{self.name} ({LEVEL_NAMES[self.level].lower()}), {self.period.label}"


def scope_for(level: str, org: Unit | None, code: str, period: ReportPeriod) -> Scope:
    """The scope with its area's name and units read once (`units.hierarchy`, on the period's last day)."""
    if level in report_scope.UNIT_LEVELS:
        return Scope(level, org, period)
    code = code or report_scope.default_network_code()
    return Scope(level, None, period, code, report_scope.area_name(level, code),
                 report_scope.units_in(level, code, period.end) if code else None)


# --- Reading a period's figures -----------------------------------------------------------------------------------


Area = tuple[str, str, frozenset[str] | None]  # level, org_code, its units (None: every unit)


def aggregates(period: ReportPeriod, codes: Sequence[str], wanted: Q, area: Area | None = None) -> list[KpiAggregate]:
    """The figures of `codes` for the period, for the organisations `wanted` selects (stored, or added up;
    an added-up median of `area` counts the babies born in its units)."""
    rows = KpiAggregate.objects.filter(wanted, kpi__in=codes)
    if period.stored_key:
        return list(rows.filter(period_key=period.stored_key))
    stored = list(rows.filter(period_key=period.key))  # the KPI engine may store financial years one day
    return stored or added_up(period, rows, area)


def added_up(period: ReportPeriod, rows: QuerySet[KpiAggregate], area: Area | None = None) -> list[KpiAggregate]:
    """A period of whole months from its stored monthly rows (see the module docstring), summed in the
    database: one query whatever the number of months, units and KPIs."""
    months = (rows.filter(period_type=PeriodType.MONTH, period_start__gte=period.start, period_start__lte=period.end)
              .values("kpi", "level", "org_code", "org_id").order_by()
              .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"), not_eligible=Sum("not_eligible"),
                        missing=Sum("missing"), run=Max("run_id"), version=Max("definition_version")))
    totals = [KpiAggregate(kpi=m["kpi"], level=m["level"], org_id=m["org_id"], org_code=m["org_code"],
                           period_key=period.key, period_type="", period_start=period.start, period_end=period.end,
                           numerator=m["numerator"], denominator=m["denominator"], not_eligible=m["not_eligible"],
                           missing=m["missing"], run_id=m["run"], definition_version=m["version"],
                           rate=m["numerator"] / m["denominator"] if m["denominator"] else None)
              for m in months]
    _add_medians(period, [t for t in totals if t.kpi in MEDIAN_CODES], area)
    return totals


def _add_medians(period: ReportPeriod, rows: list[KpiAggregate], area: Area | None = None) -> None:
    """n, median and quartiles of each median row from the babies' minutes (one query)."""
    if not rows:
        return
    start, end = london_midnight(period.start), london_midnight(period.end + timedelta(days=1))
    minutes: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    measured = CaseOutcome.objects.filter(
        kpi__in={r.kpi for r in rows}, outcome=CaseOutcome.MEASURED, case__entered_in_error=False,
        case__birth_datetime__gte=start, case__birth_datetime__lt=end,
    ).values_list("kpi", "value", "case__birth_unit__ods_code", "case__cooling_centre__ods_code",
                  "case__birth_unit__network__code")
    for kpi, value, birth_unit, centre, network in measured:
        # Where a cooled baby counts (kpis.md "Levels"): its birth unit, its cooling centre, its birth unit's
        # network (by code, issue 18).
        for level, code in ((Level.NETWORK, network), (Level.BIRTH_UNIT, birth_unit), (Level.COOLING_CENTRE, centre)):
            if code and value is not None:
                minutes[(kpi, level, code)].append(value)
        if area is not None and area[0] != Level.NETWORK and value is not None and (
                area[2] is None or birth_unit in area[2]):
            minutes[(kpi, area[0], area[1])].append(value)
    for row in rows:
        values = minutes.get((row.kpi, row.level, row.org_code), [])
        row.q1, row.median, row.q3 = medians.quartiles(values)
        row.n = len(values)


# --- One row of figures, with the policy ------------------------------------------------------------------------


@dataclass
class FigureRow:
    """One KPI for one organisation, as the fixed layout and the report tables read it."""

    level: str
    org_code: str
    org_name: str
    kpi: str
    aggregate: KpiAggregate | None
    policy: Policy | None = None  # None: within the network, nothing hidden or rounded
    hidden: set[str] = field(default_factory=set)  # suppressed count columns of this row

    @property
    def is_median(self) -> bool:
        return self.kpi in MEDIAN_CODES

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
        value = self.count(column)
        if value is None:
            return ""
        if self.policy is None:
            return str(value)
        if column in self.hidden:
            return self.policy.hidden_text
        return str(self.policy.rounded(self.level, value))

    @property
    def rate(self) -> float | None:
        row = self.aggregate
        return None if row is None or self.is_median or self.derived_hidden else row.rate

    @property
    def interval(self) -> tuple[float, float] | None:
        row = self.aggregate
        if row is None or self.is_median or self.derived_hidden:
            return None
        return wilson_interval(row.numerator, row.denominator)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _fmt(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _published(code: str) -> tuple[str, str]:
    published = PUBLISHED.get(code)
    if published is None:
        return "", ""
    if published.is_rate:
        return _pct(published.baseline), _pct(published.year_2012)
    return f"{published.baseline:.0f} min", f"{published.year_2012:.0f} min"


def layout_row(row: FigureRow, period_label: str) -> list[str]:
    """One row in the fixed column order (see the module docstring)."""
    definition = REGISTRY[row.kpi]
    agg = row.aggregate
    interval = row.interval
    # A figure worked out from a hidden count reads as the count does: "[c]", not empty ("no figure").
    withheld = suppression.MARK if row.derived_hidden and agg is not None else ""
    rates = ((withheld,) * 3 if withheld and not row.is_median else
             (_pct(row.rate), _pct(interval[0]) if interval else "", _pct(interval[1]) if interval else ""))
    middles = ((withheld,) * 3 if withheld and row.is_median else
               tuple("" if withheld or agg is None else _fmt(getattr(agg, c), 1) for c in ("median", "q1", "q3")))
    national = NATIONAL.get(row.kpi)
    direction = "lower" if row.is_median else str(definition.DIRECTION).replace("monitor", "monitored")
    return [
        LEVEL_NAMES[row.level], "" if row.level == Level.NETWORK else row.org_code, row.org_name,
        period_label, definition.TITLE, direction,
        *(row.shown(c) for c in COUNT_COLUMNS[:5]),
        *rates,
        row.shown("n"),
        *middles,
        *_published(row.kpi),
        _pct(national.value) if national else "",
        "; ".join(part for part in (national.note, national.source) if part) if national else "",
        str(agg.definition_version) if agg else "",
        HIDDEN_ROW if row.hidden else "no",
    ]


def _orgs(scope: Scope) -> list[tuple[str, str, str]]:
    """(level, org_code, name) blocks in report order."""
    own = (scope.level, scope.org_code, scope.name)
    if scope.is_unit:
        return [own, network_of(scope)]
    units = Unit.objects.order_by("short_name")
    if scope.units is not None:
        units = units.filter(ods_code__in=scope.units)
    return [own,
            *((Level.BIRTH_UNIT, u.ods_code, u.short_name) for u in units if not u.is_transport_service),
            *((Level.COOLING_CENTRE, u.ods_code, u.short_name) for u in units if u.is_cooling_centre)]


def network_of(scope: Scope) -> tuple[str, str, str]:
    """A unit report's comparison: its network's (level, org_code, name)."""
    network = scope.org.network if scope.org is not None else None
    if network is None:
        return Level.NETWORK, report_scope.network_row_code(""), NETWORK_NAME
    return Level.NETWORK, report_scope.network_row_code(network.code), network.name


def wanted_orgs(scope: Scope) -> Q:
    wanted = Q(level=scope.level, org_code=scope.org_code)
    if scope.is_unit:
        return wanted | Q(level=Level.NETWORK, org_code=network_of(scope)[1])
    units = Q(level__in=list(_UNIT_LEVELS))
    return wanted | (units if scope.units is None else units & Q(org_code__in=scope.units))


def area_of(scope: Scope) -> Area | None:
    return None if scope.is_unit else (scope.level, scope.org_code,
                                       None if scope.units is None else frozenset(scope.units))


def figure_rows(scope: Scope, *, policy: Policy | None) -> list[FigureRow]:
    """Every row of the report's HIE figures, with the policy applied when the report is for outside."""
    stored = {(a.level, a.org_code, a.kpi): a
              for a in aggregates(scope.period, ORDER, wanted_orgs(scope), area_of(scope))}
    orgs = _orgs(scope)
    if not scope.is_unit:
        # Only units that have figures for the period: an empty block says nothing.
        with_rows = {(lvl, code) for lvl, code, _ in stored}
        orgs = [o for o in orgs if o[:2] == (scope.level, scope.org_code) or (o[0], o[1]) in with_rows]
    rows = [FigureRow(level, code, name, kpi, stored.get((level, code, kpi)), policy)
            for level, code, name in orgs for kpi in ORDER]
    if policy is not None:
        apply_suppression(rows, policy, scope)
    return rows


# --- Which counts add up: the relations the report's rows print, for secondary suppression ---------------------

AREA_LEVELS = frozenset(HIERARCHY_LEVELS)
_HEADLINE = frozenset({"numerator", "not_met", "denominator", "n"})  # what the organisation's own result is from


def families(rows: Sequence[FigureRow], on: date,
             hierarchy: Hierarchy | None = None) -> list[tuple[tuple[str, str], str, list[str]]]:
    """(area, unit level, units) for each area row of the report and each unit level shown: the units of
    that level whose rows the report prints and that sat in the area on `on` (`units.hierarchy`, the day the
    report lists its units on). Whether their figures add up to the area's is a separate question
    (`relations`): birth units do when none moved in or out during the period; cooling centres only when
    every cooled baby of the area was cooled in them and they cooled no one else's."""
    orgs = list(dict.fromkeys((r.level, r.org_code) for r in rows))
    areas = [o for o in orgs if o[0] in AREA_LEVELS]
    if not areas:
        return []
    hierarchy = hierarchy or Hierarchy.load()
    paths = {code: hierarchy.path(code, on) for level, code in orgs if level in _UNIT_LEVELS}
    found = []
    for area in areas:
        for level in _UNIT_LEVELS:
            units = [code for lvl, code in orgs if lvl == level and (path := paths[code]) is not None
                     and getattr(path, area[0]) == area[1]]
            if units:
                found.append((area, str(level), units))
    return found


def relations(rows: Sequence[FigureRow], on: date,
              hierarchy: Hierarchy | None = None) -> tuple[list[Relation[CellKey]], set[CellKey]]:
    """Every additive relation among the printed counts, and the unprinted remainders they hold.

    In each row met + not met = eligible. For each area and its units of one level (`families`), each count
    column: area = Σ units + remainder, the remainder being the area's count less its units' (the babies of a
    unit before it joined the area, or of another trust cooled in its centre, or the other way round). A zero
    remainder is left out: the relation is exact and a reader may subtract through it. A non-zero one is an
    unknown to the reader (`reporting.suppression`), with its own met + not met = eligible, so a chain of
    subtractions through it is still caught."""
    cells = {(r.level, r.org_code, r.kpi): r for r in rows}
    found: list[Relation[CellKey]] = []
    unknown: set[CellKey] = set()
    for row in rows:
        if not row.is_median:
            key = (row.level, row.org_code, row.kpi)
            found.append(Relation((*key, "denominator"), ((*key, "numerator"), (*key, "not_met"))))
    for (level, code), unit_level, units in families(rows, on, hierarchy):
        rest_org = f"{level} {code} less its {unit_level} rows"
        for kpi in dict.fromkeys(r.kpi for r in rows):
            total = cells.get((level, code, kpi))
            parts = [p for unit in units if (p := cells.get((unit_level, unit, kpi))) is not None]
            if total is None or total.aggregate is None or not parts:
                continue
            for column in COUNT_COLUMNS:
                value = total.count(column)
                if value is None:
                    continue
                members = tuple((unit_level, p.org_code, kpi, column) for p in parts)
                if value != sum(p.count(column) or 0 for p in parts):
                    unknown.add(remainder := ("remainder", rest_org, kpi, column))
                    members += (remainder,)
                found.append(Relation((level, code, kpi, column), members))
            if not total.is_median:
                found.append(Relation(("remainder", rest_org, kpi, "denominator"),
                                      (("remainder", rest_org, kpi, "numerator"),
                                       ("remainder", rest_org, kpi, "not_met"))))
    return found, unknown


def apply_suppression(rows: list[FigureRow], policy: Policy, scope: Scope, hierarchy: Hierarchy | None = None) -> None:
    """Mark each row's suppressed columns: primary by each level's threshold, secondary so that no hidden
    count can be worked out from the printed ones through the relations that hold (`relations`), keeping the
    report's own headline whenever another cell protects as well."""
    values: dict[CellKey, int | None] = {}
    for row in rows:
        for column in COUNT_COLUMNS:
            count = row.count(column)
            if count is not None:
                values[(row.level, row.org_code, row.kpi, column)] = count
    own = {(scope.level, scope.org_code)}
    if scope.is_unit:
        own.add((Level.BIRTH_UNIT, scope.org_code))  # a centre's POP rows are its births'
    found, unknown = relations(rows, scope.period.end, hierarchy)
    hidden = suppression.suppress(values, found, lambda key: policy.threshold(key[0]), unknown=unknown,
                                  keep=lambda key: (key[0], key[1]) in own and key[3] in _HEADLINE)
    for row in rows:
        row.hidden = {column for (lvl, code, kpi, column) in hidden
                      if (lvl, code, kpi) == (row.level, row.org_code, row.kpi)}
