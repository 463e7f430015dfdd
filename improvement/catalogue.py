"""The KPIs an improvement action may name: every HIE KPI and median measure, and every POP KPI."""

from __future__ import annotations

from kpis.outcome import Direction
from kpis.registry import MEDIANS, REGISTRY
from pop.kpis import registry as pop_registry

TITLES: dict[str, str] = {**{code: d.TITLE for code, d in REGISTRY.items()}, **pop_registry.TITLES}
MEDIAN_CODES = frozenset(d.CODE for d in MEDIANS)
# Rate KPIs with a good direction: the ones "Celebrating success" judges (a median has no rate to compare).
DIRECTIONS: dict[str, Direction] = {
    **{code: d.DIRECTION for code, d in REGISTRY.items() if code not in MEDIAN_CODES},
    **{kpi.CODE: kpi.DIRECTION for kpi in pop_registry.KPIS},
    pop_registry.SCORE.CODE: pop_registry.SCORE.DIRECTION,
}
JUDGED: dict[str, Direction] = {code: d for code, d in DIRECTIONS.items() if d != Direction.MONITOR}


def choices() -> list[tuple[str, str]]:
    return [(code, f"{title} ({code})") for code, title in TITLES.items()]


def title(code: str) -> str:
    return TITLES.get(code, code)
