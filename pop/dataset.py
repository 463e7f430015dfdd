"""The POP interchange columns of ../shared/spec/dataset.md ("POP (preterm optimisation) dataset"), in the
spec's order: the ten shared baby columns, then the eight POP columns.

Every column is a `PopRecord` field of the same name, except `birth_unit_ods`, which holds the ODS code of
the `birth_unit` foreign key (current or former code, as for HIE cases).
"""

from __future__ import annotations

SHARED_COLUMNS: tuple[str, ...] = (
    "case_ref", "nhs_number", "birth_datetime", "sex", "gestation_weeks", "gestation_days", "birth_weight_g",
    "multiple_birth", "birth_unit_ods", "labour",
)
POP_COLUMNS: tuple[str, ...] = (
    "steroids_doses", "steroids_last_dose_datetime", "magnesium_start_datetime", "antibiotics_start_datetime",
    "cord_clamping_seconds", "first_temp_c", "first_temp_datetime", "first_breast_milk_datetime",
)
COLUMNS: tuple[str, ...] = (*SHARED_COLUMNS, *POP_COLUMNS)

UNIT_COLUMNS: dict[str, str] = {"birth_unit_ods": "birth_unit"}


def field_for(column: str) -> str:
    """Model field name for a dataset column."""
    return UNIT_COLUMNS.get(column, column)


# Model field names of the dataset, in column order (history diffs, forms, rules).
FIELDS: tuple[str, ...] = tuple(field_for(column) for column in COLUMNS)
COLUMN_OF_FIELD: dict[str, str] = {field_for(column): column for column in COLUMNS}
