"""Every POP KPI, listed explicitly (no discovery, no string dispatch), in kpis.md order.

`KPIS` are judged per baby (`evaluate`); `SCORE` sums element outcomes per unit and period
(`pop_optimisation_score.tally`). `CODES` are exactly the KpiAggregate codes the POP compute replaces.
"""

from __future__ import annotations

from types import ModuleType

from pop.kpis import pop_all_eligible, pop_optimisation_score
from pop.kpis.base import PopKpi
from pop.kpis.elements import ELEMENTS

KPIS: tuple[PopKpi, ...] = (*ELEMENTS, pop_all_eligible)
SCORE: ModuleType = pop_optimisation_score
CODES: tuple[str, ...] = (*(kpi.CODE for kpi in KPIS), SCORE.CODE)
TITLES: dict[str, str] = {**{kpi.CODE: kpi.TITLE for kpi in KPIS}, SCORE.CODE: SCORE.TITLE}
VERSIONS: dict[str, int] = {**{kpi.CODE: kpi.VERSION for kpi in KPIS}, SCORE.CODE: SCORE.VERSION}
