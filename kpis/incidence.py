"""Population rates: figures whose denominator is a count of births, not of cases (kpis.md v2
`hie_incidence_per_1000`). Pure Python, like `kpis.aggregate`.

The cases say who is in the numerator (outcome `met`); `live_births` says what to divide by, per birth unit
and calendar year. For each period of the definition's PERIOD_TYPES:

- a unit with a live-births figure: numerator = its babies `met`, denominator = its live births, missing 0;
- a unit without one: numerator and denominator 0, its babies `met` counted as missing;
- each organisation above the unit (trust, LMNS, ICB, network by its code, region; issue 18): numerators and
  denominators summed over its units that have a figure, missing summed too.

A unit with live births but no baby in the period still has a figure (0 per 1,000), and its births count in
its organisations' denominators. Live births are a figure per unit-year, which cannot be split by date, so a
unit-year counts whole at the organisations the unit sat in on the year's last day (`units.hierarchy`); a unit
that moved trust mid-year reports its year under the new trust. Rows the per-case summing made for other
period types and levels are dropped: every level is rebuilt from the unit figures here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from kpis.aggregate import Figure, unit_orgs
from kpis.definitions.base import KpiDefinition, Level, PopulationRateDefinition
from kpis.periods import Period
from units.hierarchy import Hierarchy

LiveBirths = Mapping[tuple[str, int], int]  # (birth unit ODS code, calendar year) → live births


def population_definitions(kpis: Iterable[KpiDefinition]) -> list[PopulationRateDefinition]:
    return [kpi for kpi in kpis if isinstance(kpi, PopulationRateDefinition)]


def apply(figures: list[Figure], periods: Iterable[Period], kpis: Iterable[KpiDefinition],
          live_births: LiveBirths, hierarchy: Hierarchy) -> list[Figure]:
    """The figures with each population rate's rows replaced by its figures against live births."""
    definitions = population_definitions(kpis)
    if not definitions:
        return figures
    codes = {d.CODE for d in definitions}
    kept = [f for f in figures if f.kpi not in codes]
    periods = list(periods)
    for definition in definitions:
        counted = {(f.org_code, f.period): f for f in figures
                   if f.kpi == definition.CODE and f.level == Level.BIRTH_UNIT}
        for period in periods:
            if period.type in definition.PERIOD_TYPES:
                kept += _period_figures(definition, period, counted, live_births, hierarchy)
    return kept


def _period_figures(definition: PopulationRateDefinition, period: Period,
                    counted: Mapping[tuple[str, Period], Figure], live_births: LiveBirths,
                    hierarchy: Hierarchy) -> list[Figure]:
    year = period.start.year  # PERIOD_TYPES are calendar years: live births are recorded per calendar year
    units = {org for org, p in counted if p == period} | {code for code, y in live_births if y == year}
    rows = [_unit_figure(definition, period, org, counted.get((org, period)), live_births.get((org, year)))
            for org in sorted(units)]
    return [*rows, *_rolled_up(definition, period, rows, hierarchy)]


def _unit_figure(definition: PopulationRateDefinition, period: Period, org: str, cases: Figure | None,
                 births: int | None) -> Figure:
    in_numerator = cases.numerator if cases is not None else 0
    not_eligible = cases.not_eligible if cases is not None else 0
    base = Figure(kpi=definition.CODE, level=Level.BIRTH_UNIT, org_code=org, period=period,
                  version=definition.VERSION, not_eligible=not_eligible)
    if births is None:
        return replace(base, missing=in_numerator)
    return replace(base, numerator=in_numerator, denominator=births)


def _rolled_up(definition: PopulationRateDefinition, period: Period, rows: list[Figure],
               hierarchy: Hierarchy) -> list[Figure]:
    """Each organisation's figure: its units' figures summed, at every roll-up level the definition lists."""
    members: dict[tuple[Level, str], list[Figure]] = {}
    for row in rows:
        for level, org in unit_orgs(hierarchy, row.org_code, period.end).items():
            if level != Level.BIRTH_UNIT and level in definition.LEVELS:
                members.setdefault((level, org), []).append(row)
    return [Figure(kpi=definition.CODE, level=level, org_code=org, period=period, version=definition.VERSION,
                   numerator=sum(r.numerator for r in units), denominator=sum(r.denominator for r in units),
                   not_eligible=sum(r.not_eligible for r in units), missing=sum(r.missing for r in units))
            for (level, org), units in sorted(members.items())]
