"""What a POP definition module provides, and the rules every POP definition shares (kpis.md "POP KPIs").

A definition is a module `pop/kpis/<code>.py` with CODE, TITLE, SOURCE, VERSION, DIRECTION and LEVELS and a
pure `evaluate(facts, as_of) -> Outcome` over `PopFacts` (no database): the HIE definitions' protocol
(`kpis.definitions.base.KpiDefinition`) over POP facts. `as_of` is unused by today's definitions but taken by
all, so the engine calls them the same way as the HIE definitions.
"""

from __future__ import annotations

from typing import Final

from kpis.definitions.base import ROLLUP_LEVELS, KpiDefinition, Level
from pop.kpis.facts import PopFacts

# kpis.md: "attributed to birth_unit_ods (levels birth_unit, network)"; issue 18 adds the birth unit's trust,
# LMNS, ICB and region (and one network figure per network) on the birth date.
POP_LEVELS: tuple[Level, ...] = (Level.BIRTH_UNIT, *ROLLUP_LEVELS)
SPEC: Final = "kpis.md \"POP (preterm optimisation) KPIs\""
DAYS_PER_WEEK: Final = 7
# A POP KPI: the one definition protocol over POP facts (a type for annotations; isinstance takes
# KpiDefinition itself).
PopKpi = KpiDefinition[PopFacts]


def gestation(weeks: int, days: int = 0) -> int:
    """Completed gestation in days, so "23+0 to 29+6" compares as one number."""
    return weeks * DAYS_PER_WEEK + days
