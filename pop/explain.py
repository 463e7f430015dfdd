"""What each POP measure counts, in clinicians' words, from the POP definitions themselves (`pop/kpis/`).

The same `kpis.explain.Explanation` the HIE dashboards show beside every figure, built from the attributes every
POP definition carries (COHORT, MET, MISSING, CITATION, MEASURE_TYPE, DIRECTION, VERSION), so the words cannot
drift from the code that counts. The optimisation score is not a per-baby definition but carries the same texts.
"""

from __future__ import annotations

from types import ModuleType
from typing import Final

from kpis.explain import Explanation
from pop.kpis import registry
from pop.kpis.base import PopKpi


def _explain(definition: PopKpi | ModuleType) -> Explanation:
    return Explanation(code=definition.CODE, title=definition.TITLE, is_median=False, cohort=definition.COHORT,
                       counted=definition.MET, missing=definition.MISSING, direction=definition.DIRECTION,
                       version=definition.VERSION, citation=definition.CITATION,
                       measure_type=definition.MEASURE_TYPE, by_birth_cohort=False, has_breach_view=False)


ALL: Final = (*(_explain(d) for d in registry.KPIS), _explain(registry.SCORE))
BY_CODE: Final = {explanation.code: explanation for explanation in ALL}
