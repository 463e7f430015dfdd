"""Valid case values for tests: a cooled outborn baby whose every time is in order.

`cooled_case_values()` returns model-field values; override any of them with keyword arguments.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from core.timeutil import LONDON
from units.models import Unit

_refs = count(1)


def cooled_case_values(*, birth: datetime | None = None, birth_unit: str = "RWG02", centre: str = "RGT01",
                       **overrides: Any) -> dict[str, Any]:
    birth = birth or datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)

    def at(minutes: float) -> datetime:
        return birth + timedelta(minutes=minutes)

    values: dict[str, Any] = {
        "case_ref": f"T{next(_refs):05d}",
        "nhs_number": "",
        "birth_datetime": birth,
        "sex": "male",
        "gestation_weeks": 39,
        "gestation_days": 2,
        "birth_weight_g": 3300,
        "multiple_birth": "no",
        "birth_unit": Unit.objects.get(ods_code=birth_unit),
        "cooling_centre": Unit.objects.get(ods_code=centre),
        "labour": "yes",
        "apgar_10": 4,
        "resus_at_10min": "yes",
        "lowest_ph_60min": Decimal("6.95"),
        "base_deficit_60min": Decimal("16.0"),
        "hie_grade": 2,
        "aeeg": "moderately_abnormal",
        "referral_datetime": at(80),
        "therapeutic_hypothermia": "yes",
        "passive_cooling_start": at(30),
        "active_cooling_start": at(200),
        "core_monitoring_start": at(45),
        "target_temp_reached": at(230),
        "lowest_temp_before_arrival_c": Decimal("33.4"),
        "transport_cooling": "servo",
        "depart_referring_datetime": at(170),
        "arrive_centre_datetime": at(240),
        "arrival_temp_c": Decimal("33.6"),
        "rewarming_start": at(230 + 72 * 60),
        "rewarming_end": at(230 + 80 * 60),
        "parent_consultation_datetime": at(300),
        "placenta_sent": "yes",
        "mri_performed": "yes",
        "mri_datetime": at(7 * 24 * 60),
        "mnsi_referred": "yes",
        "outcome": "alive",
        "discharge_datetime": at(12 * 24 * 60),
        "family_booklet_given": "yes",
    }
    values.update(overrides)
    return values
