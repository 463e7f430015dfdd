"""The interchange columns of ../shared/spec/dataset.md (HIE, v1 and the "v2 additions"), in the spec's order.

Every column is a `Case` field of the same name, except the two unit columns, which hold ODS codes of
the `birth_unit` / `cooling_centre` foreign keys.
"""

from __future__ import annotations

V1_COLUMNS: tuple[str, ...] = (
    "case_ref", "nhs_number", "birth_datetime", "sex", "gestation_weeks", "gestation_days",
    "birth_weight_g", "multiple_birth", "birth_unit_ods", "cooling_centre_ods", "labour",
    "postnatal_collapse_datetime", "apgar_10", "resus_at_10min", "lowest_ph_60min", "base_deficit_60min",
    "hie_grade", "aeeg", "referral_datetime", "therapeutic_hypothermia", "passive_cooling_start",
    "active_cooling_start", "core_monitoring_start", "target_temp_reached", "lowest_temp_before_arrival_c",
    "transport_cooling", "depart_referring_datetime", "arrive_centre_datetime", "arrival_temp_c",
    "rewarming_start", "rewarming_end", "early_stop_reason", "parent_consultation_datetime",
    "placenta_sent", "mri_performed", "mri_datetime", "mnsi_referred", "outcome", "death_datetime",
    "discharge_datetime", "followup_2y", "followup_2y_date", "family_booklet_given",
)

# v2: optional in a file (a v1 file has none of them and leaves them as they are); the export writes them all.
V2_COLUMNS: tuple[str, ...] = (
    # around birth and in the first days
    "mode_of_delivery", "sentinel_event", "encephalopathy_exam_datetime", "seizures", "anticonvulsant_count",
    "ventilation",
    # referral and transport
    "referral_decision", "not_cooled_reason", "transport_team_mobilised_datetime",
    "transport_team_arrived_datetime", "transport_service_ods",
    # MRI
    "mri_sequences", "mri_score_system", "mri_score_value", "mri_injury_pattern", "mri_mrs_lactate_naa",
    "mri_reported_by", "mri2_datetime", "mri2_injury_pattern",
    # discharge, safety and placenta
    "discharge_destination", "placenta_histology", "mnsi_reference", "ens_notified_date",
    # two-year follow-up
    "followup_corrected_age_months", "bayley_version", "bayley_cognitive", "bayley_language", "bayley_motor",
    "cerebral_palsy", "gmfcs_level", "vision", "hearing", "epilepsy",
)

COLUMNS: tuple[str, ...] = V1_COLUMNS + V2_COLUMNS

UNIT_COLUMNS: dict[str, str] = {"birth_unit_ods": "birth_unit", "cooling_centre_ods": "cooling_centre",
                                "transport_service_ods": "transport_service"}


def field_for(column: str) -> str:
    """Model field name for a dataset column."""
    return UNIT_COLUMNS.get(column, column)


# Model field names of the dataset, in the same order (used for history diffs and forms).
FIELDS: tuple[str, ...] = tuple(field_for(col) for col in COLUMNS)
