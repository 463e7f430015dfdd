"""Figures counted on demand from stored per-case results, for periods no run stores.

A custom range of birth dates, the pooled three-year funnel and "babies since the last breach" are counted
from `CaseOutcome` (each case's outcome for each KPI) joined to `CaseAttribution` (its London date of birth
and the organisation it counts at on each level), both written by the latest KPI run. Nothing here reads or
evaluates a case row: the counts are exactly what a run would have stored for the same period, because they
are the same per-case outcomes summed the same way (kpis.md "Conventions": numerator = met, denominator =
met + not met; medians over the measured minutes, with missing and not eligible beside them).

Raw SQL, because the two tables are related only through the case (a join the ORM would route through the
case table); it is plain SQL that PostgreSQL and the embedded SQLite both run. Results are remembered per
version of the stored figures (`core.memo`), so a period asked for again costs nothing until the next run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db import connection

from core import memo
from kpis import medians
from kpis.definitions.base import ROLLUP_LEVELS, Level
from kpis.models import CaseAttribution, CaseOutcome, KpiAggregate
from kpis.outcome import Direction, Outcome
from kpis.periods import Period, custom_period
from kpis.registry import MEDIANS, RATE_PER, REGISTRY
from kpis.versions import figures_version
from units.models import Unit

POOLED_YEARS: Final = 3

# The attribution column holding each level's organisation (issue 18: every level above the unit too).
_ORG_COLUMN: Final = {Level.BIRTH_UNIT: "birth_unit_code", Level.COOLING_CENTRE: "cooling_centre_code",
                      Level.TRUST: "trust_code", Level.LMNS: "lmns_code", Level.ICB: "icb_code",
                      Level.NETWORK: "network_code", Level.REGION: "region_code"}
_MEASURED: Final = CaseOutcome.MEASURED


def _tables() -> dict[str, str]:
    return {"outcome": CaseOutcome._meta.db_table, "place": CaseAttribution._meta.db_table}


def _org_sql(level: Level) -> str:
    return f"a.{_ORG_COLUMN[level]}"


def _group_by(level: Level) -> str:
    """GROUP BY the KPI, the organisation and the outcome."""
    return f"o.kpi, a.{_ORG_COLUMN[level]}, o.outcome"


def _where(level: Level, org_code: str | None) -> tuple[str, list[str | date]]:
    """Restrict to one organisation (or none), and to cases counted at the level at all (a cooling centre holds
    cooled babies only; a unit with no trust, LMNS, ICB or region on the birth date has none there)."""
    clauses: list[str] = [f"a.{_ORG_COLUMN[level]} <> ''"]
    params: list[str | date] = []
    if org_code is not None:
        clauses.append(f"a.{_ORG_COLUMN[level]} = %s")
        params.append(org_code)
    return "".join(f" AND {clause}" for clause in clauses), params


# --- Figures of any range of birth dates ---------------------------------------------------------------------


def figures(period: Period, *, level: Level, org_code: str | None = None) -> list[KpiAggregate]:
    """Every KPI's figure for the period at the level: one organisation's, or every organisation's when
    `org_code` is None. Unsaved `KpiAggregate` rows (with `org` set for units), as a stored period's would be."""
    if level not in _ORG_COLUMN:
        return []  # the transport level has no stored attribution: its figures exist for stored periods only
    name = f"kpis.ondemand.figures:{level}:{org_code or '*'}:{period.key}"
    return memo.remember(name, figures_version(), lambda: _figures_now(period, level, org_code))


def _figures_now(period: Period, level: Level, org_code: str | None) -> list[KpiAggregate]:
    counts = _counts(period, level, org_code)
    minutes = _minutes(period, level, org_code)
    units = {u.ods_code: u for u in Unit.objects.filter(ods_code__in={org for _, org in counts})}
    rows = []
    for (code, org), by_outcome in sorted(counts.items()):
        definition = REGISTRY.get(code)
        # A rate per live births divides by a calendar year's births (`kpis.incidence`): any other range of
        # birth dates has no denominator, so it is never counted on demand.
        if definition is None or level not in definition.LEVELS or code in RATE_PER:
            continue
        row = KpiAggregate(kpi=code, level=level, org_code=org, org=None if level in ROLLUP_LEVELS else units.get(org),
                           period_type=period.type,
                           period_key=period.key, period_start=period.start, period_end=period.end,
                           definition_version=definition.VERSION)
        _fill(row, by_outcome, minutes.get((code, org), []))
        rows.append(row)
    return rows


def _fill(row: KpiAggregate, by_outcome: dict[str, int], measured: list[float]) -> None:
    row.not_eligible = by_outcome.get(Outcome.NOT_ELIGIBLE, 0)
    row.missing = by_outcome.get(Outcome.MISSING, 0)
    if row.kpi in _MEDIAN_CODES:
        summary = medians.summarise(measured)
        row.n, row.median, row.q1, row.q3 = summary.n, summary.median, summary.q1, summary.q3
        return
    row.numerator = by_outcome.get(Outcome.MET, 0)
    row.denominator = row.numerator + by_outcome.get(Outcome.NOT_MET, 0)
    row.rate = row.numerator / row.denominator if row.denominator else None


_MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)


def _counts(period: Period, level: Level, org_code: str | None) -> dict[tuple[str, str], dict[str, int]]:
    where, params = _where(level, org_code)
    sql = (f"SELECT o.kpi, {_org_sql(level)}, o.outcome, COUNT(*) FROM {_tables()['outcome']} o "
           f"JOIN {_tables()['place']} a ON a.case_id = o.case_id "
           f"WHERE a.born >= %s AND a.born <= %s{where} GROUP BY {_group_by(level)}")
    found: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.start, period.end, *params])
        for code, org, outcome, count in cursor.fetchall():
            found[(code, org)][outcome] = count
    return found


def _minutes(period: Period, level: Level, org_code: str | None) -> dict[tuple[str, str], list[float]]:
    where, params = _where(level, org_code)
    sql = (f"SELECT o.kpi, {_org_sql(level)}, o.value FROM {_tables()['outcome']} o "
           f"JOIN {_tables()['place']} a ON a.case_id = o.case_id "
           f"WHERE o.outcome = %s AND a.born >= %s AND a.born <= %s{where}")
    found: dict[tuple[str, str], list[float]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_MEASURED, period.start, period.end, *params])
        for code, org, value in cursor.fetchall():
            found[(code, org)].append(float(value))
    return found


def pooled_period(as_of: date) -> Period:
    """The three years of births ending on the run date, which the rare-event funnel pools (from the day after
    the same date three years before; from 1 March when that date is 29 February)."""
    before = as_of.replace(year=as_of.year - POOLED_YEARS, day=min(as_of.day, 28) if as_of.month == 2 else as_of.day)
    return custom_period(before + timedelta(days=1), as_of)


# --- Babies since the last breach -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baby:
    """One eligible baby with the data recorded, in birth order, and whether the standard was breached."""

    born: date
    breach: bool


def breach_outcome(direction: Direction) -> Outcome:
    """The outcome that is the breach: not met when higher is better, met (e.g. overcooled) when lower is."""
    return Outcome.NOT_MET if direction == Direction.HIGHER else Outcome.MET


def babies_in_order(code: str, *, level: Level, org_code: str | None, since: date | None = None) -> list[Baby]:
    """Every baby the KPI judged (met or not met; missing and not eligible left out), oldest birth first.
    Not remembered: its one use, the g-chart, is (`kpis.pagecharts`)."""
    breach = breach_outcome(REGISTRY[code].DIRECTION)
    where, params = _where(level, org_code)
    if since is not None:
        where += " AND a.born >= %s"
        params.append(since)
    sql = (f"SELECT a.born, o.outcome FROM {_tables()['outcome']} o "
           f"JOIN {_tables()['place']} a ON a.case_id = o.case_id "
           f"WHERE o.kpi = %s AND o.outcome IN (%s, %s){where} ORDER BY a.born, o.case_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, Outcome.MET.value, Outcome.NOT_MET.value, *params])
        return [Baby(born, outcome == breach) for born, outcome in cursor.fetchall()]
