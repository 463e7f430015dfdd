"""CaseFacts for tests without a database: a cooled outborn baby for whom every KPI is decided.

The defaults mirror core.testing.factories.cooled_case_values (Watford RWG02 → Addenbrooke's RGT01);
override any field by keyword. `at(minutes)` is an instant that many exact minutes after BIRTH.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.timeutil import LONDON
from kpis.facts import CaseFacts
from units.hierarchy import Hierarchy, OrgPath
from units.reference import NETWORK as REFERENCE_NETWORK
from units.reference import UNITS as REFERENCE_UNITS

BIRTH = datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)  # BST
AS_OF = date(2025, 1, 1)  # too early for 2-year follow-up of a 2024 birth
BIRTH_UNIT = "RWG02"
CENTRE = "RGT01"
TRANSPORT = "RGT-PANDR"

# Clock-change nights: wall-clock arithmetic is an hour out on these, exact instants are not.
SPRING_BIRTH = datetime(2024, 3, 31, 0, 30, tzinfo=LONDON)  # GMT; clocks go 01:00 GMT → 02:00 BST
AUTUMN_BIRTH = datetime(2024, 10, 27, 0, 30, tzinfo=LONDON)  # BST; clocks go 02:00 BST → 01:00 GMT


def at(minutes: float, *, start: datetime = BIRTH) -> datetime:
    """The instant `minutes` after `start`, in London time (added in UTC, so exact across clock changes)."""
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(LONDON)


def hours(h: int, m: int = 0) -> int:
    return h * 60 + m


def make_facts(**overrides: Any) -> CaseFacts:
    values: dict[str, Any] = {
        "case_id": None,
        "case_ref": "T-KPI",
        "birth_datetime": BIRTH,
        "postnatal_collapse_datetime": None,
        "gestation_weeks": 39,
        "gestation_days": 2,
        "birth_unit_ods": BIRTH_UNIT,
        "cooling_centre_ods": CENTRE,
        "birth_unit_is_nicu": False,
        "labour": "yes",
        "hie_grade": 2,
        "therapeutic_hypothermia": "yes",
        "referral_datetime": at(80),
        "passive_cooling_start": at(30),
        "active_cooling_start": at(200),
        "core_monitoring_start": at(45),
        "target_temp_reached": at(230),
        "lowest_temp_before_arrival_c": Decimal("33.4"),
        "transport_cooling": "servo",
        "depart_referring_datetime": at(170),
        "arrive_centre_datetime": at(240),
        "arrival_temp_c": Decimal("33.6"),
        "rewarming_start": at(230 + hours(72)),
        "rewarming_end": at(230 + hours(80)),
        "early_stop_reason": "",
        "parent_consultation_datetime": at(300),
        "placenta_sent": "yes",
        "mri_performed": "yes",
        "mri_datetime": at(hours(7 * 24)),
        "mnsi_referred": "yes",
        "outcome": "alive",
        "discharge_datetime": at(hours(12 * 24)),
        "followup_2y": "",
        "family_booklet_given": "yes",
        # v2: moved by PaNDR, team at the bedside 50 min after the call; a structured protocol MRI.
        "referral_decision": "cool",
        "transport_service_ods": TRANSPORT,
        "transport_team_arrived_datetime": at(130),
        "mri_sequences": frozenset({"t1", "t2", "dwi", "mrs"}),
        "mri_score_system": "nichd_nrn",
        "mri_injury_pattern": "normal",
    }
    values.update(overrides)
    return CaseFacts(**values)


# Born at the cooling centre itself.
INBORN: dict[str, Any] = {"birth_unit_ods": CENTRE, "cooling_centre_ods": CENTRE, "birth_unit_is_nicu": True}

# A baby who was not cooled: no cooling-centre data at all, as a referral that was declined looks.
NOT_COOLED: dict[str, Any] = {
    "therapeutic_hypothermia": "no",
    "cooling_centre_ods": None,
    "passive_cooling_start": None,
    "active_cooling_start": None,
    "target_temp_reached": None,
    "rewarming_start": None,
    "rewarming_end": None,
}


def reference_hierarchy() -> Hierarchy:
    """The East of England reference units in one network, with no placements (what `Hierarchy.load()` gives
    for `units.reference` without a database): each unit's trust, the network "EOE" and the region "Y61"."""
    return Hierarchy({}, {row["ods"]: OrgPath(trust=row["trust_ods"] or None, lmns=None, icb=None,
                                              network=str(REFERENCE_NETWORK["code"]),
                                              region=str(REFERENCE_NETWORK["region_code"]))
                          for row in REFERENCE_UNITS})
