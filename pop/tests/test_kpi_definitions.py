"""Every POP KPI outcome and boundary, table-driven over `PopFacts` (no database).

Boundaries from kpis.md: gestation 23+0 / 29+6 / 30+0 / 33+6 / 34+0, place-of-birth 27+0 / 28+0 / 800 g,
exactly 24 h (magnesium, breast milk), exactly 60 min and 36.5 / 37.5 °C (normothermia), cord 59 / 60 s, and
the clock-change nights, where a 24 h window is 24 real hours whatever the wall clock says.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions.base import KpiDefinition, Level
from kpis.outcome import Direction, Outcome
from pop.kpis import (
    pop_all_eligible,
    pop_antenatal_steroids,
    pop_early_breast_milk,
    pop_intrapartum_antibiotics,
    pop_magnesium_sulphate,
    pop_normothermia,
    pop_optimal_cord_management,
    pop_optimisation_score,
    pop_place_of_birth,
    registry,
)
from pop.tests.factories import BIRTH, facts

AS_OF = date(2025, 1, 1)
MET, NOT_MET, NE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
H = timedelta(hours=1)
M = timedelta(minutes=1)


def judge(module: ModuleType, **overrides: Any) -> Outcome:
    return module.evaluate(facts(**overrides), AS_OF)


def ga(weeks: int, days: int) -> dict[str, int]:
    return {"gestation_weeks": weeks, "gestation_days": days}


PLACE_OF_BIRTH = [
    ("26+6 singleton in a NICU", {**ga(26, 6)}, MET),
    ("26+6 singleton not in a NICU", {**ga(26, 6), "birth_unit_is_nicu": False}, NOT_MET),
    ("27+0 singleton, 1000 g", {**ga(27, 0), "birth_weight_g": 1000}, NE),
    ("27+6 multiple", {**ga(27, 6), "multiple_birth": True, "birth_unit_is_nicu": False}, NOT_MET),
    ("28+0 multiple, 1100 g", {**ga(28, 0), "multiple_birth": True, "birth_weight_g": 1100}, NE),
    ("32+0 at 799 g", {**ga(32, 0), "birth_weight_g": 799}, MET),
    ("32+0 at 800 g", {**ga(32, 0), "birth_weight_g": 800}, NE),
]

STEROIDS = [
    ("22+6", {**ga(22, 6)}, NE),
    ("23+0 given", {**ga(23, 0), "steroids_doses": 1}, MET),
    ("33+6 given", {**ga(33, 6), "steroids_doses": 2}, MET),
    ("34+0", {**ga(34, 0), "steroids_doses": 2}, NE),
    ("no doses", {"steroids_doses": 0}, NOT_MET),
    ("doses not recorded", {"steroids_doses": None}, MISSING),
]

AUTUMN_0100_GMT = datetime(2024, 10, 27, 1, 0, tzinfo=LONDON, fold=1)  # the second 01:00 (GMT)
MAGNESIUM = [
    ("22+6", {**ga(22, 6)}, NE),
    ("23+0", {**ga(23, 0)}, MET),
    ("29+6", {**ga(29, 6)}, MET),
    ("30+0", {**ga(30, 0)}, NE),
    ("33+6", {**ga(33, 6)}, NE),
    ("not given", {"magnesium_start": None}, NOT_MET),
    ("started at birth", {"magnesium_start": BIRTH}, MET),
    ("exactly 24 h before", {"magnesium_start": BIRTH - 24 * H}, MET),
    ("24 h 1 min before", {"magnesium_start": BIRTH - 24 * H - M}, NOT_MET),
    # Autumn: 03:00 BST on the 26th to 03:00 GMT on the 27th is 24 h on the wall clock but 25 real hours.
    ("autumn, wall 24 h, real 25 h", {"birth": datetime(2024, 10, 27, 3, 0, tzinfo=LONDON),
                                      "magnesium_start": datetime(2024, 10, 26, 3, 0, tzinfo=LONDON)}, NOT_MET),
    # Autumn: 02:00 BST on the 26th to the second 01:00 (GMT) on the 27th: 23 h on the wall, 24 real hours.
    ("autumn, wall 23 h, real 24 h", {"birth": AUTUMN_0100_GMT,
                                      "magnesium_start": datetime(2024, 10, 26, 2, 0, tzinfo=LONDON)}, MET),
    ("autumn, wall 23 h 30, real 24 h 30", {"birth": AUTUMN_0100_GMT,
                                            "magnesium_start": datetime(2024, 10, 26, 1, 30, tzinfo=LONDON)}, NOT_MET),
    # Spring: 03:00 GMT on the 30th to 03:00 BST on the 31st is 24 h on the wall but 23 real hours.
    ("spring, wall 24 h, real 23 h", {"birth": datetime(2024, 3, 31, 3, 0, tzinfo=LONDON),
                                      "magnesium_start": datetime(2024, 3, 30, 3, 0, tzinfo=LONDON)}, MET),
    ("spring, wall 25 h, real 24 h", {"birth": datetime(2024, 3, 31, 3, 30, tzinfo=LONDON),
                                      "magnesium_start": datetime(2024, 3, 30, 2, 30, tzinfo=LONDON)}, MET),
    ("spring, wall 25 h 1 min, real 24 h 1 min", {"birth": datetime(2024, 3, 31, 3, 31, tzinfo=LONDON),
                                                  "magnesium_start": datetime(2024, 3, 30, 2, 30, tzinfo=LONDON)},
     NOT_MET),
]

ANTIBIOTICS = [
    ("labour, given", {}, MET),
    ("labour, not given", {"antibiotics_start": None}, NOT_MET),
    ("labour, given at birth", {"antibiotics_start": BIRTH}, MET),
    ("no labour", {"labour": "no"}, NE),
    ("labour unknown", {"labour": "unknown"}, MISSING),
    ("labour not recorded", {"labour": ""}, MISSING),
]

CORD = [
    ("59 s", {"cord_clamping_seconds": 59}, NOT_MET),
    ("60 s", {"cord_clamping_seconds": 60}, MET),
    ("0 s", {"cord_clamping_seconds": 0}, NOT_MET),
    ("600 s", {"cord_clamping_seconds": 600}, MET),
    ("not recorded", {"cord_clamping_seconds": None}, MISSING),
]

NORMOTHERMIA = [
    ("36.4 °C", {"first_temp_c": Decimal("36.4")}, NOT_MET),
    ("36.5 °C", {"first_temp_c": Decimal("36.5")}, MET),
    ("37.5 °C", {"first_temp_c": Decimal("37.5")}, MET),
    ("37.6 °C", {"first_temp_c": Decimal("37.6")}, NOT_MET),
    ("at birth", {"first_temp_at": BIRTH}, MET),
    ("exactly 60 min", {"first_temp_at": BIRTH + 60 * M}, MET),
    ("60 min 1 s", {"first_temp_at": BIRTH + 60 * M + timedelta(seconds=1)}, NOT_MET),
    ("61 min", {"first_temp_at": BIRTH + 61 * M}, NOT_MET),
    ("temperature not recorded", {"first_temp_c": None}, MISSING),
    ("time not recorded", {"first_temp_at": None}, MISSING),
    # Autumn: born 01:50 BST, measured 01:20 GMT: 30 min earlier on the wall clock, 30 real minutes later.
    ("autumn night, real 30 min", {"birth": datetime(2024, 10, 27, 1, 50, tzinfo=LONDON),
                                   "first_temp_at": datetime(2024, 10, 27, 1, 20, tzinfo=LONDON, fold=1)}, MET),
    # Spring: born 00:50 GMT, measured 02:20 BST: 90 min on the wall clock, 30 real minutes.
    ("spring night, real 30 min", {"birth": datetime(2024, 3, 31, 0, 50, tzinfo=LONDON),
                                   "first_temp_at": datetime(2024, 3, 31, 2, 20, tzinfo=LONDON)}, MET),
    # Autumn: born 00:50 BST, measured 01:20 GMT: 30 min on the wall clock, 90 real minutes.
    ("autumn night, real 90 min", {"birth": datetime(2024, 10, 27, 0, 50, tzinfo=LONDON),
                                   "first_temp_at": datetime(2024, 10, 27, 1, 20, tzinfo=LONDON, fold=1)}, NOT_MET),
]

BREAST_MILK = [
    ("within 5 h", {}, MET),
    ("exactly 24 h", {"first_breast_milk_at": BIRTH + 24 * H}, MET),
    ("24 h 1 min", {"first_breast_milk_at": BIRTH + 24 * H + M}, NOT_MET),
    ("not given", {"first_breast_milk_at": None}, NOT_MET),
    ("autumn, wall 24 h, real 25 h", {"birth": datetime(2024, 10, 26, 3, 0, tzinfo=LONDON),
                                      "first_breast_milk_at": datetime(2024, 10, 27, 3, 0, tzinfo=LONDON)}, NOT_MET),
]

TABLES = [
    *((pop_place_of_birth, *row) for row in PLACE_OF_BIRTH),
    *((pop_antenatal_steroids, *row) for row in STEROIDS),
    *((pop_magnesium_sulphate, *row) for row in MAGNESIUM),
    *((pop_intrapartum_antibiotics, *row) for row in ANTIBIOTICS),
    *((pop_optimal_cord_management, *row) for row in CORD),
    *((pop_normothermia, *row) for row in NORMOTHERMIA),
    *((pop_early_breast_milk, *row) for row in BREAST_MILK),
]


@pytest.mark.parametrize(("module", "case", "overrides", "expected"), TABLES,
                         ids=[f"{m.CODE}: {case}" for m, case, _, _ in TABLES])
def test_element_outcome(module: ModuleType, case: str, overrides: dict[str, Any], expected: Outcome) -> None:
    assert judge(module, **overrides) == expected


# Which outcomes kpis.md allows each element (cord, normothermia and breast milk cover every baby; "—" in the
# missing column means empty counts as not given): each table must show every one of them.
POSSIBLE = {
    pop_place_of_birth: {MET, NOT_MET, NE}, pop_antenatal_steroids: {MET, NOT_MET, NE, MISSING},
    pop_magnesium_sulphate: {MET, NOT_MET, NE}, pop_intrapartum_antibiotics: {MET, NOT_MET, NE, MISSING},
    pop_optimal_cord_management: {MET, NOT_MET, MISSING}, pop_normothermia: {MET, NOT_MET, MISSING},
    pop_early_breast_milk: {MET, NOT_MET},
}


def test_every_possible_outcome_of_every_element_is_in_its_table() -> None:
    assert set(POSSIBLE) == set(registry.KPIS[:-1])
    for module, outcomes in POSSIBLE.items():
        assert {expected for m, _, _, expected in TABLES if m is module} == outcomes, module.CODE


def test_clock_change_cases_differ_from_wall_clock_arithmetic() -> None:
    # The point of the autumn row: subtracting two London datetimes directly gives the wall-clock 24 h.
    start, birth = datetime(2024, 10, 26, 3, 0, tzinfo=LONDON), datetime(2024, 10, 27, 3, 0, tzinfo=LONDON)
    assert birth - start == timedelta(hours=24)
    assert birth.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


ALL_ELIGIBLE = [
    ("every element met", {}, MET),
    ("one element not met", {"cord_clamping_seconds": 30}, NOT_MET),
    ("one element missing", {"cord_clamping_seconds": None}, MISSING),
    ("missing beats not met", {"cord_clamping_seconds": None, "first_breast_milk_at": None}, MISSING),
    ("not eligible elements ignored", {**ga(33, 0), "birth_weight_g": 1900, "labour": "no"}, MET),
    ("labour unknown is missing", {"labour": "unknown"}, MISSING),
    ("place of birth not met", {**ga(25, 0), "birth_unit_is_nicu": False}, NOT_MET),
]


@pytest.mark.parametrize(("case", "overrides", "expected"), ALL_ELIGIBLE, ids=[c for c, _, _ in ALL_ELIGIBLE])
def test_all_eligible(case: str, overrides: dict[str, Any], expected: Outcome) -> None:
    assert judge(pop_all_eligible, **overrides) == expected


def test_all_eligible_with_no_eligible_element_is_not_eligible() -> None:
    assert pop_all_eligible.combine([NE, NE]) == NE
    assert pop_all_eligible.combine([NE, MET]) == MET


def test_optimisation_score_tally_counts_each_element_once() -> None:
    # 28+3 singleton, 1150 g, labour, born in a NICU: place of birth not eligible (≥ 27+0, ≥ 800 g).
    tally = pop_optimisation_score.tally(facts(cord_clamping_seconds=None, first_breast_milk_at=None), AS_OF)
    assert tally == Counter({MET: 4, NOT_MET: 1, NE: 1, MISSING: 1})
    assert sum(tally.values()) == len(registry.KPIS) - 1


def test_registry_lists_kpis_md_codes_in_order_with_their_attributes() -> None:
    assert registry.CODES == (
        "pop_place_of_birth", "pop_antenatal_steroids", "pop_magnesium_sulphate", "pop_intrapartum_antibiotics",
        "pop_optimal_cord_management", "pop_normothermia", "pop_early_breast_milk", "pop_all_eligible",
        "pop_optimisation_score")
    for module in (*registry.KPIS, registry.SCORE):
        # kpis.md: birth unit and network; issue 18 adds the organisations above the unit.
        assert module.LEVELS == (Level.BIRTH_UNIT, Level.TRUST, Level.LMNS, Level.ICB, Level.NETWORK, Level.REGION)
        assert module.DIRECTION == Direction.HIGHER
        assert module.VERSION >= 1 and module.TITLE and "kpis.md" in module.SOURCE
    assert all(isinstance(kpi, KpiDefinition) for kpi in registry.KPIS)  # the one protocol, over POP facts
