"""Valid POP record values for tests: a 28+3 week singleton born at Watford (RWG02) with every element met.

`pop_values()` returns model-field values; override any of them with keyword arguments.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from core.timeutil import LONDON
from pop.kpis.facts import PopFacts
from units.models import Unit

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)  # BST
_refs = count(1)


def pop_values(*, birth: datetime = BIRTH, birth_unit: str | None = "RWG02", **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case_ref": f"POP-T{next(_refs):05d}",
        "nhs_number": "",
        "birth_datetime": birth,
        "sex": "female",
        "gestation_weeks": 28,
        "gestation_days": 3,
        "birth_weight_g": 1150,
        "multiple_birth": "no",
        "birth_unit": Unit.objects.get(ods_code=birth_unit) if birth_unit else None,
        "labour": "yes",
        "steroids_doses": 2,
        "steroids_last_dose_datetime": birth - timedelta(hours=30),
        "magnesium_start_datetime": birth - timedelta(hours=6),
        "antibiotics_start_datetime": birth - timedelta(hours=5),
        "cord_clamping_seconds": 90,
        "first_temp_c": Decimal("36.8"),
        "first_temp_datetime": birth + timedelta(minutes=25),
        "first_breast_milk_datetime": birth + timedelta(hours=5),
    }
    values.update(overrides)
    return values


def facts(**overrides: Any) -> PopFacts:
    """Facts of a 28+3 week singleton born in a NICU with every element met (no database)."""
    birth = overrides.pop("birth", BIRTH)
    base: dict[str, Any] = {
        "birth": birth, "gestation_weeks": 28, "gestation_days": 3, "birth_weight_g": 1150, "multiple_birth": False,
        "birth_unit_ods": "RGT01", "birth_unit_is_nicu": True, "labour": "yes", "steroids_doses": 2,
        "magnesium_start": birth - timedelta(hours=6), "antibiotics_start": birth - timedelta(hours=5),
        "cord_clamping_seconds": 90, "first_temp_c": Decimal("36.8"), "first_temp_at": birth + timedelta(minutes=25),
        "first_breast_milk_at": birth + timedelta(hours=5),
    }
    base.update(overrides)
    return PopFacts(**base)
