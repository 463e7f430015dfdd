"""Per-case results and their sums per KPI × level × organisation × period (kpis.md "Conventions").

Pure Python, no database: `services.compute` loads the cases, and this module evaluates and counts them.
Counts are first bucketed by London birth month, then every period (a whole number of months) adds up its
months, so a case is evaluated once however many periods hold it.

Levels (kpis.md "Levels", v2 additions and issue 18): `birth_unit` (the birth unit's ODS code),
`cooling_centre` (the cooling centre's ODS code, TH babies only), `transport` (the service that moved the baby)
and the organisations above the birth unit, `trust`, `lmns`, `icb`, `network` (org_code = the network's code,
e.g. "EOE") and `region`, each the one the birth unit sat in on the London birth date (`units.hierarchy`). Every
case counts at exactly one organisation per level, so each roll-up figure is the sum of its units' figures for
the months they sat in it (`tests/test_levels_sum.py`). Only the levels listed by a definition are computed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from kpis import medians
from kpis.definitions.base import KpiDefinition, Level, MedianDefinition
from kpis.facts import CaseFacts
from kpis.outcome import MeasureValue, Outcome
from kpis.periods import Period, month_end, month_start
from units.hierarchy import Hierarchy


@dataclass(frozen=True)
class CaseResult:
    """One case evaluated by every definition: what it counts in and what it scored."""

    case_id: int
    month: date  # first day of the London birth month
    born: date  # the London birth date (for the one period that is not whole months)
    orgs: Mapping[Level, str]  # the organisation the case counts at, for each level where it counts
    outcomes: Mapping[str, Outcome]  # rate KPIs, by code
    values: Mapping[str, MeasureValue]  # median measures, by code


@dataclass(frozen=True)
class Figure:
    """One aggregate row before it is stored: either a rate figure or a median summary."""

    kpi: str
    level: Level
    org_code: str
    period: Period
    version: int
    numerator: int = 0
    denominator: int = 0
    not_eligible: int = 0
    missing: int = 0
    summary: medians.MedianSummary | None = None  # median measures only

    @property
    def rate(self) -> float | None:
        """met ÷ (met + not_met); None when nobody is in the denominator (kpis.md)."""
        return self.numerator / self.denominator if self.denominator else None


def unit_orgs(hierarchy: Hierarchy, unit_ods: str, born: date) -> dict[Level, str]:
    """The birth unit and the organisations it sat in on the birth date, by level (issue 18). A code that is no
    unit of the deployment has only its unit level (it cannot happen for a stored case or POP record)."""
    orgs = {Level.BIRTH_UNIT: unit_ods}
    path = hierarchy.path(unit_ods, born)
    if path is not None:
        orgs.update((Level(level), code) for level, code in path.as_dict().items())
    return orgs


def case_orgs(facts: CaseFacts, hierarchy: Hierarchy) -> dict[Level, str]:
    """Where a case is attributed: its birth unit's organisations on the birth date (issue 18: a baby cooled in
    another network still counts in its birth unit's); the cooling-centre level holds TH babies only (kpis.md
    "Levels"); the transport level every baby a transport service moved (kpis.md v2)."""
    orgs = unit_orgs(hierarchy, facts.birth_unit_ods, facts.birth_date_london)
    if facts.is_cooled and facts.cooling_centre_ods:
        orgs[Level.COOLING_CENTRE] = facts.cooling_centre_ods
    if facts.transport_service_ods:
        orgs[Level.TRANSPORT] = facts.transport_service_ods
    return orgs


def evaluate_case(facts: CaseFacts, case_id: int, as_of: date, kpis: Iterable[KpiDefinition[CaseFacts]],
                  measures: Iterable[MedianDefinition], hierarchy: Hierarchy) -> CaseResult:
    """`hierarchy` is loaded once per run (`Hierarchy.load`, three queries), never per case."""
    return CaseResult(
        case_id=case_id,
        month=month_start(facts.birth_date_london),
        born=facts.birth_date_london,
        orgs=case_orgs(facts, hierarchy),
        outcomes={kpi.CODE: kpi.evaluate(facts, as_of) for kpi in kpis},
        values={measure.CODE: measure.value(facts, as_of) for measure in measures},
    )


# A rate figure's counts, in this order.
_OUTCOMES = (Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING)


# (kpi code, level, org code) → month → what the cases of that month scored
_Key = tuple[str, Level, str]


def _bucket_outcomes(results: Iterable[CaseResult], kpis: Iterable[KpiDefinition[CaseFacts]]
                     ) -> dict[_Key, dict[date, Counter[Outcome]]]:
    buckets: dict[_Key, dict[date, Counter[Outcome]]] = defaultdict(lambda: defaultdict(Counter))
    levels = {kpi.CODE: kpi.LEVELS for kpi in kpis}
    for result in results:
        for code, outcome in result.outcomes.items():
            for level in levels[code]:
                if level in result.orgs:
                    buckets[(code, level, result.orgs[level])][result.month][outcome] += 1
    return buckets


def _bucket_values(results: Iterable[CaseResult], measures: Iterable[MedianDefinition]
                   ) -> dict[_Key, dict[date, list[MeasureValue]]]:
    buckets: dict[_Key, dict[date, list[MeasureValue]]] = defaultdict(lambda: defaultdict(list))
    levels = {measure.CODE: measure.LEVELS for measure in measures}
    for result in results:
        for code, value in result.values.items():
            for level in levels[code]:
                if level in result.orgs:
                    buckets[(code, level, result.orgs[level])][result.month].append(value)
    return buckets


def _rate_figure(key: _Key, period: Period, version: int, counts: tuple[int, ...]) -> Figure:
    """`counts` in `_OUTCOMES` order: met, not met, not eligible, missing."""
    met, not_met, not_eligible, missing = counts
    return Figure(kpi=key[0], level=key[1], org_code=key[2], period=period, version=version,
                  numerator=met, denominator=met + not_met, not_eligible=not_eligible, missing=missing)


def _median_figure(key: _Key, period: Period, version: int, values: list[MeasureValue]) -> Figure:
    summary = medians.summarise(values)
    return Figure(kpi=key[0], level=key[1], org_code=key[2], period=period, version=version,
                  not_eligible=summary.not_eligible, missing=summary.missing, summary=summary)


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


class _RunningCounts:
    """One key's counts summed over any run of consecutive months in constant time: running totals per month
    (a prefix sum), so a period's counts are the total at its last month minus the total before its first.
    Summing each period's months one by one cost most of a national-scale run (about a million periods × keys
    with 12–60 months each)."""

    def __init__(self, by_month: Mapping[date, Counter[Outcome]]) -> None:
        indexes = [_month_index(month) for month in by_month]
        self.first, self.last = min(indexes), max(indexes)
        per_month: list[tuple[int, ...]] = [(0, 0, 0, 0)] * (self.last - self.first + 1)
        for month, counted in by_month.items():
            per_month[_month_index(month) - self.first] = tuple(counted[o] for o in _OUTCOMES)
        running: tuple[int, ...] = (0, 0, 0, 0)
        self.totals: list[tuple[int, ...]] = [running]  # totals[i]: every month before index first + i
        for month_counts in per_month:
            running = tuple(a + b for a, b in zip(running, month_counts, strict=True))
            self.totals.append(running)

    def between(self, first: int, last: int) -> tuple[int, ...] | None:
        """The counts of months first..last (month indexes, inclusive), in `_OUTCOMES` order; None when no case
        was born in any of them."""
        first, last = max(first, self.first), min(last, self.last)
        if first > last:
            return None
        after, before = self.totals[last - self.first + 1], self.totals[first - self.first]
        sums = [a - b for a, b in zip(after, before, strict=True)]
        return tuple(sums) if any(sums) else None


def _join_values(by_month: Mapping[date, list[MeasureValue]], months: Iterable[date]) -> list[MeasureValue] | None:
    found = [by_month[month] for month in months if month in by_month]
    return [value for values in found for value in values] if found else None


def figures(results: Iterable[CaseResult], periods: Iterable[Period], kpis: Iterable[KpiDefinition[CaseFacts]],
            measures: Iterable[MedianDefinition]) -> list[Figure]:
    """Every figure of every period: one per KPI × level × organisation with at least one case there."""
    results, periods, kpis, measures = list(results), list(periods), list(kpis), list(measures)
    versions = {**{d.CODE: d.VERSION for d in kpis}, **{d.CODE: d.VERSION for d in measures}}
    whole = {period: period.months() for period in periods if _whole_months(period)}
    rows = _summed(results, whole, kpis, measures, versions)
    for period in periods:
        if period not in whole:
            # The rolling window ending on the run date starts mid-month: count its own cases directly,
            # filed under one bucket (its first day) so the same summing applies. One extra pass per run.
            inside = [replace(r, month=period.start) for r in results if period.start <= r.born <= period.end]
            rows += _summed(inside, {period: [period.start]}, kpis, measures, versions)
    return rows


def _whole_months(period: Period) -> bool:
    return period.start.day == 1 and period.end == month_end(period.end)


def _summed(results: list[CaseResult], months_of: Mapping[Period, list[date]], kpis: list[KpiDefinition[CaseFacts]],
            measures: list[MedianDefinition], versions: Mapping[str, int]) -> list[Figure]:
    rows: list[Figure] = []
    # Each period's months are consecutive (whole calendar months, or the rolling window's one bucket).
    spans = {period: (_month_index(months[0]), _month_index(months[-1])) for period, months in months_of.items()}
    for key, by_month in _bucket_outcomes(results, kpis).items():
        running = _RunningCounts(by_month)
        for period, (first, last) in spans.items():
            if (counts := running.between(first, last)) is not None:
                rows.append(_rate_figure(key, period, versions[key[0]], counts))
    for key, values_by_month in _bucket_values(results, measures).items():
        for period, months in months_of.items():
            if (values := _join_values(values_by_month, months)) is not None:
                rows.append(_median_figure(key, period, versions[key[0]], values))
    return rows
