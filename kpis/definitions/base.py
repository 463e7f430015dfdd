"""What a definition module provides, and the few rules every HIE definition shares (kpis.md "Conventions").

A definition is a module, `kpis/definitions/<code>.py`, with constants CODE, TITLE, SOURCE, VERSION,
DIRECTION and LEVELS, and one pure function: `evaluate(facts, as_of) -> Outcome` for a rate KPI, or
`value(facts, as_of) -> minutes | None | NOT_ELIGIBLE` for a median measure. Modules satisfy the
protocols below structurally, so the registry can hold them without wrapper classes.

`KpiDefinition` is generic in the facts it reads: `KpiDefinition[CaseFacts]` for the HIE KPIs here,
`KpiDefinition[PopFacts]` for the POP KPIs (`pop.kpis`), one protocol for every producer's definitions.

Each also says, in words a clinician reads beside the figure and on the definitions page
(`kpis.explain`): COHORT (who counts), MET (a rate: when a baby is counted in the numerator) or MEASURE (a
median: what is timed), MISSING (what leaves a baby out as "data missing"), CITATION (the clinical source as
clinicians cite it, e.g. "BAPM 2020": never a file or section name; SOURCE is the developers' pointer into
the specification) and MEASURE_TYPE (process, outcome or audit).

`as_of` is the run date: only `followup_2y` needs it today, but every definition takes it so that the
engine calls them all the same way and a future date-dependent version needs no new signature.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final, Protocol, TypeVar, runtime_checkable

from kpis.facts import CaseFacts
from kpis.outcome import Direction, MeasureValue, Outcome
from pathway import choices as c
from pathway import standards


class MeasureType(StrEnum):
    """What a figure measures, as quality-improvement teams class it (shown on the definitions page)."""

    PROCESS = "process"
    OUTCOME = "outcome"
    AUDIT = "audit"  # reviewed case by case, not ranked (direction "monitor")


class Level(StrEnum):
    """Where a figure is attributed (kpis.md "Levels"; issue 18 adds the organisations above the unit)."""

    BIRTH_UNIT = "birth_unit"
    COOLING_CENTRE = "cooling_centre"
    TRUST = "trust"  # issue 18: the birth unit's trust, LMNS, ICB, network and region on the birth date
    LMNS = "lmns"
    ICB = "icb"
    NETWORK = "network"  # org_code: the network's code ("EOE"), one figure per network
    REGION = "region"
    TRANSPORT = "transport"  # kpis.md v2: the transport service that moved the baby (`transport_service_ods`)


# The levels above the birth unit, narrowest first (`units.hierarchy.HIERARCHY_LEVELS`, same names). A case
# counts at the organisations its birth unit sat in on its London birth date (`units.hierarchy.Hierarchy`),
# so a unit that moved trust or network reports under the right one for each period (issue 18). A baby cooled
# in another network counts at its birth unit's organisations here, and at its centre on COOLING_CENTRE.
ROLLUP_LEVELS: tuple[Level, ...] = (Level.TRUST, Level.LMNS, Level.ICB, Level.NETWORK, Level.REGION)

# Every HIE cohort is a subset of TH babies, who always have a cooling centre (dataset.md makes it
# required when TH = yes), so each HIE figure is computed at the birth unit, the centre and every roll-up.
TH_LEVELS: tuple[Level, ...] = (Level.BIRTH_UNIT, Level.COOLING_CENTRE, *ROLLUP_LEVELS)
# kpis.md v2: the transfer measures the transport team owns are also computed per transport service.
TRANSPORT_LEVELS: tuple[Level, ...] = (*TH_LEVELS, Level.TRANSPORT)

# "Within 6 h" is ≤ 360 minutes on exact instants (kpis.md "Conventions"). Every clinical threshold lives in
# pathway.standards, which the timeline, worklist and rules read too; re-exported here for the definitions.
SIX_HOURS_MIN: Final = standards.SIX_HOURS_MIN
MINUTES_PER_HOUR: Final = standards.MINUTES_PER_HOUR

# A coded answer that is empty or `unknown` is not recorded: the outcome is `missing`, never a failure.
_NOT_RECORDED = frozenset({"", c.YesNoUnknown.UNKNOWN})


# The facts a definition reads (CaseFacts, PopFacts): contravariant, as they are only ever passed in.
FactsT = TypeVar("FactsT", contravariant=True)


@runtime_checkable
class KpiDefinition(Protocol[FactsT]):
    """A rate KPI: one outcome per record (met, not met, not eligible, missing)."""

    CODE: str
    TITLE: str
    SOURCE: str
    VERSION: int
    DIRECTION: Direction
    LEVELS: tuple[Level, ...]
    COHORT: str
    MET: str
    MISSING: str
    CITATION: str
    MEASURE_TYPE: MeasureType

    def evaluate(self, facts: FactsT, as_of: date) -> Outcome: ...


@runtime_checkable
class MedianDefinition(Protocol):
    """A median measure of cases: minutes, missing (None) or NOT_ELIGIBLE per case."""

    CODE: str
    TITLE: str
    SOURCE: str
    VERSION: int
    DIRECTION: Direction
    LEVELS: tuple[Level, ...]
    COHORT: str
    MEASURE: str
    MISSING: str
    CITATION: str
    MEASURE_TYPE: MeasureType

    def value(self, facts: CaseFacts, as_of: date) -> MeasureValue: ...


@runtime_checkable
class BirthCohortDefinition(KpiDefinition, Protocol):
    """An outcome reported by birth cohort (kpis.md v2 "Birth cohorts for outcomes"): a baby joins its cohort
    only once MIN_AGE_MONTHS old, so a period is complete once its youngest baby is that old."""

    MIN_AGE_MONTHS: int


@runtime_checkable
class PopulationRateDefinition(KpiDefinition, Protocol):
    """A rate whose denominator is a population, not the cases (kpis.md v2 `hie_incidence_per_1000`): each
    case's outcome says only whether it is in the numerator (`met`) or not (`not_eligible`); the engine divides
    by DENOMINATOR's figure per unit and period (`kpis.incidence`), computed only for PERIOD_TYPES and shown
    per RATE_PER babies."""

    DENOMINATOR: str
    PERIOD_TYPES: tuple[str, ...]
    RATE_PER: int


def not_recorded(answer: str) -> bool:
    """True for an empty or `unknown` coded answer."""
    return answer in _NOT_RECORDED


def outcome_of_answer(answer: str, *, met: str, not_met: str) -> Outcome:
    """Outcome of a coded answer once the cohort is settled: empty or `unknown` is `missing`.

    Any other value is a bug upstream (the dataset rejects unknown codes), so it raises instead of
    being quietly counted in one bucket.
    """
    if answer == met:
        return Outcome.MET
    if answer == not_met:
        return Outcome.NOT_MET
    if not_recorded(answer):
        return Outcome.MISSING
    raise ValueError(f"Unexpected coded value {answer!r} (expected {met!r}, {not_met!r}, 'unknown' or empty)")
