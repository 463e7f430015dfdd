"""What the POP dashboard shows, read only from stored rows (never computed on page load).

Each builder is a fixed number of queries whatever the data size: the POP runs and pending changes
(freshness), the stored periods, one period's figures (every unit and the network together), the comparators,
and one series for the run chart. Page-time arithmetic is per figure and tiny: a 95 % Wilson interval (kpis.wilson).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kpis.definitions.base import Level
from kpis.explain import Explanation
from kpis.freshness import Freshness
from kpis.freshness import freshness as producer_freshness
from kpis.models import KpiAggregate
from kpis.periods import PeriodType, parse_period_key
from kpis.wilson import wilson_interval
from pop import explain
from pop.kpis import registry
from pop.models import NationalComparator
from pop.services import POP


def freshness(now: datetime | None = None) -> Freshness:
    """"Data as of" the last successful full POP run (a save only recomputes its own record's periods); the
    newest POP run when it failed (`kpis.freshness`, per producer: HIE and training runs are not counted)."""
    return producer_freshness(POP, now)


@dataclass(frozen=True)
class Rate:
    """One stored figure as people read it: rate, 95 % Wilson interval and n."""

    row: KpiAggregate

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.row.numerator, self.row.denominator)

    @property
    def text(self) -> str:
        return "No eligible babies" if self.row.rate is None else f"{self.row.rate:.1%}"

    @property
    def interval_text(self) -> str:
        interval = self.interval
        return f"{interval[0]:.1%}–{interval[1]:.1%}" if interval else ""

    @property
    def n(self) -> int:
        return self.row.denominator


@dataclass(frozen=True)
class Line:
    code: str
    title: str
    unit: Rate | None
    network: Rate | None
    comparator: NationalComparator | None

    @property
    def is_score(self) -> bool:
        return self.code == registry.SCORE.CODE

    @property
    def explanation(self) -> Explanation:
        return explain.BY_CODE[self.code]


def stored_periods() -> dict[str, list[str]]:
    """POP network periods by type, newest first (keys sort chronologically within a type)."""
    pairs = (KpiAggregate.objects.filter(kpi__in=registry.CODES, level=Level.NETWORK)
             .values_list("period_type", "period_key").distinct().order_by("period_type", "-period_key"))
    found: dict[str, list[str]] = {kind.value: [] for kind in PeriodType}
    for kind, key in pairs:
        found[kind].append(key)
    return found


def default_period(periods: Mapping[str, list[str]]) -> str | None:
    """The newest rolling 12 months (the run date's window), else the newest of any type."""
    for kind in (PeriodType.ROLLING_12M, PeriodType.YEAR, PeriodType.QUARTER, PeriodType.MONTH):
        if periods.get(kind):
            return periods[kind][0]
    return None


def period_label(key: str, end: date | None = None) -> str:
    period = parse_period_key(key)
    if period.type == PeriodType.ROLLING_12M:
        return f"12 months to {end or period.end:%d %B %Y}"
    if period.type == PeriodType.MONTH:
        return f"{period.start:%B %Y}"
    if period.type == PeriodType.QUARTER:
        return f"{key[-2:]} {key[:4]}"
    return period.label  # a calendar year "2024", an NHS financial year "2024/25 (April 2024 to March 2025)"


def period_rows(period_key: str) -> list[KpiAggregate]:
    """Every POP figure of the period: each unit's and the network's, with the units (one query)."""
    return list(KpiAggregate.objects.filter(kpi__in=registry.CODES, period_key=period_key)
                .select_related("org").order_by("org_code"))


def comparators() -> dict[str, NationalComparator]:
    """The newest verified national figure of each measure (one query; unverified figures are not shown)."""
    latest: dict[str, NationalComparator] = {}
    for comparator in NationalComparator.objects.filter(verified=True).order_by("measure", "-year", "source"):
        latest.setdefault(comparator.measure, comparator)
    return latest


def lines(rows: Iterable[KpiAggregate], org: tuple[str, str], network_code: str,
          national: Mapping[str, NationalComparator]) -> list[Line]:
    """One line per POP code in kpis.md order: the organisation (level, code), its network (by code, issue 18)
    and the national comparator."""
    rows = list(rows)
    own = {r.kpi: Rate(r) for r in rows if (r.level, r.org_code) == org}
    network = {r.kpi: Rate(r) for r in rows if r.level == Level.NETWORK and r.org_code == network_code}
    return [Line(code, registry.TITLES[code], own.get(code), network.get(code), national.get(code))
            for code in registry.CODES]


def unit_rows(rows: Iterable[KpiAggregate], code: str) -> list[KpiAggregate]:
    """Each birth unit's figure for one code (the funnel plot), from the period's rows."""
    return [r for r in rows if r.kpi == code and r.level == Level.BIRTH_UNIT]


def series(*, code: str, level: str, org_code: str, period_type: str) -> list[KpiAggregate]:
    """One code for one organisation (level and code) over time (run chart), oldest first."""
    return list(KpiAggregate.objects.filter(kpi=code, level=level, org_code=org_code, period_type=period_type)
                .order_by("period_start"))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def figures_csv(lines: Iterable[Line], org_name: str) -> tuple[list[str], list[list[str]]]:
    """The dashboard's table as a spreadsheet reads it: one row per measure, the counts beside every rate."""
    header = ["Measure", f"{org_name}: rate", "95% interval from", "95% interval to", "Counted", "n", "Missing",
              "Network: rate", "Network: counted", "Network: n", "National", "National source", "National year"]
    rows = []
    for line in lines:
        own, network, national = line.unit, line.network, line.comparator
        interval = own.interval if own else None
        rows.append([
            line.title, _percent(own.row.rate) if own else "", _percent(interval[0]) if interval else "",
            _percent(interval[1]) if interval else "", str(own.row.numerator) if own else "",
            str(own.n) if own else "", str(own.row.missing) if own else "",
            _percent(network.row.rate) if network else "", str(network.row.numerator) if network else "",
            str(network.n) if network else "", f"{national.value_percent}%" if national else "",
            national.source if national else "", str(national.year) if national else "",
        ])
    return header, rows
