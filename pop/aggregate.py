"""POP results per record and their sums per KPI × level × organisation × period (kpis.md "Conventions").

Pure Python, no database. Counts are bucketed by London birth month; each period (a whole number of months,
`kpis.periods`) adds up its months, so a record is evaluated once however many periods hold it. A figure
exists for an organisation and period only when at least one record was born there in that period.

Levels (kpis.md "POP KPIs", issue 18): the birth unit and the organisations it sat in on the London birth date
(trust, LMNS, ICB, network by its code, region; `units.hierarchy`), as for the HIE figures
(`kpis.aggregate.unit_orgs`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from kpis.aggregate import Figure, unit_orgs
from kpis.definitions.base import Level
from kpis.outcome import Outcome
from kpis.periods import Period, month_start
from pop.kpis import registry
from pop.kpis.facts import PopFacts
from units.hierarchy import Hierarchy


@dataclass(frozen=True)
class RecordResult:
    month: date  # first day of the London birth month
    orgs: Mapping[Level, str]  # the birth unit and its organisations on the birth date, by level
    outcomes: Mapping[str, Outcome]  # per-baby KPIs, by code
    score: Counter[Outcome]  # the baby's element outcomes, for the optimisation score


def evaluate_record(facts: PopFacts, as_of: date, hierarchy: Hierarchy) -> RecordResult:
    """`hierarchy` is loaded once per run (`Hierarchy.load`), never per record."""
    return RecordResult(
        month=month_start(facts.birth_date_london),
        orgs=unit_orgs(hierarchy, facts.birth_unit_ods, facts.birth_date_london),
        outcomes={kpi.CODE: kpi.evaluate(facts, as_of) for kpi in registry.KPIS},
        score=registry.SCORE.tally(facts, as_of),
    )


_Key = tuple[str, Level, str]


def _buckets(results: Iterable[RecordResult]) -> dict[_Key, dict[date, Counter[Outcome]]]:
    buckets: dict[_Key, dict[date, Counter[Outcome]]] = defaultdict(lambda: defaultdict(Counter))
    for result in results:
        for level, org in result.orgs.items():
            for code, outcome in result.outcomes.items():
                buckets[(code, level, org)][result.month][outcome] += 1
            # Touch the month even when the counter is empty, so the figure exists (with zeros).
            buckets[(registry.SCORE.CODE, level, org)][result.month].update(result.score)
    return buckets


def _figure(key: _Key, period: Period, counts: Counter[Outcome]) -> Figure:
    met, not_met = counts[Outcome.MET], counts[Outcome.NOT_MET]
    return Figure(kpi=key[0], level=key[1], org_code=key[2], period=period, version=registry.VERSIONS[key[0]],
                  numerator=met, denominator=met + not_met, not_eligible=counts[Outcome.NOT_ELIGIBLE],
                  missing=counts[Outcome.MISSING])


def figures(results: Iterable[RecordResult], periods: Iterable[Period]) -> list[Figure]:
    """Every figure of every period: one per POP code × level × organisation with a record born there, with
    its code's definition version, as the KPI engine stores it (`kpis.aggregate.Figure`)."""
    months_of = {period: period.months() for period in periods}
    rows: list[Figure] = []
    for key, by_month in _buckets(results).items():
        for period, months in months_of.items():
            present = [by_month[month] for month in months if month in by_month]
            if present:
                rows.append(_figure(key, period, sum(present, Counter())))
    return rows
