"""The POP elements of kpis.md, in the spec's order: what "all eligible interventions" and the optimisation
score are made of. A new element is one module and one line here (and in the registry through this tuple)."""

from __future__ import annotations

from pop.kpis import (
    pop_antenatal_steroids,
    pop_early_breast_milk,
    pop_intrapartum_antibiotics,
    pop_magnesium_sulphate,
    pop_normothermia,
    pop_optimal_cord_management,
    pop_place_of_birth,
)
from pop.kpis.base import PopKpi

ELEMENTS: tuple[PopKpi, ...] = (
    pop_place_of_birth,
    pop_antenatal_steroids,
    pop_magnesium_sulphate,
    pop_intrapartum_antibiotics,
    pop_optimal_cord_management,
    pop_normothermia,
    pop_early_breast_milk,
)
