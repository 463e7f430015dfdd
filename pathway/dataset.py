"""The interchange columns of ../shared/spec/dataset.md (HIE, v1), in the spec's order.

Every column is a `Case` field of the same name, except the two unit columns, which hold ODS codes of
the `birth_unit` / `cooling_centre` foreign keys.
"""

from __future__ import annotations

COLUMNS: tuple[str, ...] = (
    "case_ref", "nhs_number", "birth_datetime", "sex", "gestation_weeks", "gestation_days",
    "birth_weight_g", "multiple_birth", "birth_unit_ods", "cooling_centre_ods", "labour",
    "postnatal_collapse_datetime", "apgar_10", "resus_at_10min", "lowest_ph_60min", "base_deficit_60min",
    "hie_grade", "aeeg", "referral_datetime", "therapeutic_hypothermia", "passive_cooling_start",
    "active_cooling_start", "core_monitoring_start", "target_temp_reached", "lowest_temp_before_arrival_c",
    "transport_cooling", "depart_referring_datetime", "arrive_centre_datetime", "arrival_temp_c",
    "rewarming_start", "rewarming_end", "early_stop_reason", "parent_consultation_datetime",
    "placenta_sent", "mri_performed", "mri_datetime", "mnsi_referred", "outcome", "death_datetime",
    "discharge_datetime", "followup_2y", "followup_2y_date", "family_booklet_given",
    # v2 additions (dataset.md "v2 additions"): optional in a file, see OPTIONAL_COLUMNS.
    "national_opt_out",
)

# v2 columns a file may leave out: a v1 file stays valid, and importing it leaves these as they are.
OPTIONAL_COLUMNS: frozenset[str] = frozenset({"national_opt_out"})

UNIT_COLUMNS: dict[str, str] = {"birth_unit_ods": "birth_unit", "cooling_centre_ods": "cooling_centre"}


def field_for(column: str) -> str:
    """Model field name for a dataset column."""
    return UNIT_COLUMNS.get(column, column)


# Model field names of the dataset, in the same order (used for history diffs and forms).
FIELDS: tuple[str, ...] = tuple(field_for(col) for col in COLUMNS)
