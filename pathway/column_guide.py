"""The import column guide and template, generated from the dataset contract code.

Every column of `pathway.dataset.COLUMNS` is described from what the import itself enforces: the `Case`
field (type, allowed codes, range, length, NHS number check) and the cross-field tables of `pathway.rules`
(required, required when, order, only when). A column added to the contract therefore appears in the guide
and the template with its rules, with nothing to write here; `NOTES` and `EXAMPLES` only add the words
and sample values a field cannot say about itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import capfirst

from pathway import rules
from pathway.dataset import COLUMNS, UNIT_COLUMNS, V2_COLUMNS, field_for
from pathway.models import Case
from pathway.nhs_number import validate_nhs_number

# What a column's field cannot say about itself (dataset.md "Columns", the rule column).
NOTES: dict[str, str] = {
    "case_ref": "Unique within the network; the key for re-import: a row with an existing case_ref updates that case",
    "nhs_number": "Unique per baby",
    "birth_datetime": "Not in the future",
    "birth_unit_ods": "ODS site code of a unit in the network (a former code of a merged trust is accepted)",
    "cooling_centre_ods": "ODS site code of a unit flagged as a cooling centre",
    "transport_service_ods": "ODS code of a unit with designation TRANSPORT (the team that moved the baby)",
    "postnatal_collapse_datetime": "When set, it is time zero instead of birth",
    "referral_datetime": "First call to the cooling centre or transport service",
    "core_monitoring_start": "Continuous rectal or oesophageal probe started",
    "target_temp_reached": "First core temperature 33.0–34.0 °C; at or after the earliest cooling start",
    "rewarming_end": "Core temperature back to 36.5 °C or more",
    "early_stop_reason": "Only when cooling stopped before 72 hours",
    "mri_datetime": "First brain MRI",
}

# A sample value per column, one baby's story (born 14/05/2024 03:10 at Watford, cooled at Addenbrooke's).
EXAMPLES: dict[str, str] = {
    "case_ref": "EOE-2024-0153",
    "nhs_number": "9434765919",
    "birth_datetime": "2024-05-14T03:10",
    "gestation_weeks": "39",
    "gestation_days": "2",
    "birth_weight_g": "3300",
    "birth_unit_ods": "RWG02",
    "cooling_centre_ods": "RGT01",
    "apgar_10": "4",
    "lowest_ph_60min": "6.95",
    "base_deficit_60min": "16.0",
    "hie_grade": "2",
    "referral_datetime": "2024-05-14T04:30",
    "passive_cooling_start": "2024-05-14T03:40",
    "active_cooling_start": "2024-05-14T06:30",
    "core_monitoring_start": "2024-05-14T03:55",
    "target_temp_reached": "2024-05-14T07:00",
    "lowest_temp_before_arrival_c": "33.4",
    "depart_referring_datetime": "2024-05-14T06:00",
    "arrive_centre_datetime": "2024-05-14T07:10",
    "arrival_temp_c": "33.6",
    "rewarming_start": "2024-05-17T07:00",
    "rewarming_end": "2024-05-17T15:00",
    "parent_consultation_datetime": "2024-05-14T08:10",
    "mri_datetime": "2024-05-21T10:00",
    "multiple_birth": "no",
    "discharge_datetime": "2024-05-26T14:00",
    "followup_2y_date": "2026-05-20",
    # v2: the same baby's journey (dataset.md "v2 additions")
    "mode_of_delivery": "emergency_caesarean",
    "sentinel_event": "placental_abruption",
    "encephalopathy_exam_datetime": "2024-05-14T04:00",
    "seizures": "clinical",
    "anticonvulsant_count": "1",
    "ventilation": "invasive",
    "referral_decision": "cool",
    "not_cooled_reason": "",
    "transport_team_mobilised_datetime": "2024-05-14T04:45",
    "transport_team_arrived_datetime": "2024-05-14T05:30",
    "mri_sequences": "t1;t2;dwi;mrs",
    "mri_score_system": "nichd_nrn",
    "mri_score_value": "1A",
    "mri_injury_pattern": "normal",
    "mri_mrs_lactate_naa": "0.20",
    "mri_reported_by": "Dr A Example",
    "mri2_datetime": "",
    "mri2_injury_pattern": "",
    "discharge_destination": "home",
    "ens_notified_date": "2024-05-15",
    "followup_corrected_age_months": "24",
    "bayley_version": "iii",
    "bayley_cognitive": "95",
    "bayley_language": "90",
    "bayley_motor": "100",
    "cerebral_palsy": "none",
    "gmfcs_level": "",
    "vision": "normal",
    "hearing": "normal",
    "epilepsy": "no",
    "national_opt_out": "no",
}
EXAMPLE_DATETIME = "2024-05-20T09:45"
# Said once at the top of the guide, for every column of its kind.
GENERAL_RULES: tuple[str, ...] = (
    "One row per baby; the first row names the columns (any order). An empty cell means not recorded.",
    "Dates and times are UK local time written as 2024-05-14T03:10 (date, the letter T, 24-hour time). A time "
    "that happens twice when the clocks go back needs its offset (2024-10-27T01:30+01:00 or +00:00); a time "
    "the clocks skip (2024-03-31T01:30) is refused.",
    "Codes are the words listed for each column, in any case: Yes, YES and yes are the same.",
    'Save the file from Excel as "CSV UTF-8". The whole file is checked before anything is saved: if any row '
    "has an error nothing is imported, and every error is listed with its row and column.",
)


@dataclass(frozen=True)
class ColumnGuide:
    column: str
    label: str
    kind: str  # "Date and time", "Whole number", "Code", ...
    codes: tuple[tuple[str, str], ...]  # (code, meaning) for coded columns
    rules: tuple[str, ...]
    example: str
    required: bool


def _field(column: str) -> models.Field[Any, Any]:
    return Case._meta.get_field(field_for(column))  # type: ignore[return-value]


def _label(field: str) -> str:
    return str(Case._meta.get_field(field).verbose_name)  # type: ignore[union-attr]


def _kind(column: str, model_field: models.Field[Any, Any]) -> str:
    if column in UNIT_COLUMNS:
        return "ODS site code"
    if isinstance(model_field, models.DateTimeField):
        return "Date and time"
    if isinstance(model_field, models.DateField):
        return "Date (2026-05-20)"
    if model_field.choices:
        return "Code"
    if isinstance(model_field, models.DecimalField):
        return f"Decimal number, up to {model_field.decimal_places} decimal places"
    if isinstance(model_field, models.IntegerField):
        return "Whole number"
    base = getattr(model_field, "base_field", None)  # a list of codes (e.g. MRI sequences)
    if base is not None and base.choices:
        return "Codes separated by ;"
    return "Text"


def _codes(model_field: models.Field[Any, Any]) -> tuple[tuple[str, str], ...]:
    source = model_field if model_field.choices else getattr(model_field, "base_field", None)
    if source is None or not source.choices:
        return ()
    return tuple((str(code), str(meaning)) for code, meaning in source.flatchoices)


def _range(model_field: models.Field[Any, Any]) -> Iterator[str]:
    low = next((v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)), None)
    if low is not None and high is not None and not model_field.choices:
        yield f"From {low} to {high}"
    if (
        isinstance(model_field, models.CharField)
        and not model_field.choices
        and validate_nhs_number not in model_field.validators
    ):
        length = model_field.max_length or next(
            (v.limit_value for v in model_field.validators if isinstance(v, MaxLengthValidator)), None
        )
        if length:
            yield f"Up to {length} characters"
    if validate_nhs_number in model_field.validators:
        yield "10 digits that pass the NHS number check (Modulus 11)"


def _cross_field(field: str) -> Iterator[str]:
    for cond_field, cond_value, needed in rules.CONDITIONAL_REQUIRED:
        if needed == field:
            yield f"Required when {_label(cond_field)} is '{cond_value}'"
    for later, earlier, strict in rules.ORDER_RULES:
        if later == field:
            yield f"{'After' if strict else 'At or after'} the {_label(earlier)}"
    for gate, needed, gated in getattr(rules, "GATED_FIELDS", ()):  # v2: recorded only when the gate says so
        if field in gated:
            yield f"Only when {_label(gate)} is '{needed}'"


def _example(column: str, model_field: models.Field[Any, Any], codes: tuple[tuple[str, str], ...]) -> str:
    if column in EXAMPLES:
        return EXAMPLES[column]
    if codes:
        return codes[0][0]
    if isinstance(model_field, models.DateTimeField):
        return EXAMPLE_DATETIME
    if isinstance(model_field, models.DateField):
        return (date(2024, 5, 14) + timedelta(days=1)).isoformat()
    low = next((v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)), None)
    return "" if low is None else str(low)


def guide(column: str) -> ColumnGuide:
    model_field = _field(column)
    codes = _codes(model_field)
    required = model_field.name in rules.REQUIRED
    found: list[str] = ["Required" if required else "Optional: leave empty when not recorded"]
    if model_field.has_default() and not model_field.blank:
        found.append(f"Empty means '{model_field.get_default()}'")
    found += [*_range(model_field), *_cross_field(model_field.name)]
    if column in NOTES:
        found.append(NOTES[column])
    if column in V2_COLUMNS:
        found.append("A v2 column: a file may leave it out, and then the import leaves the value as it is")
    return ColumnGuide(
        column,
        capfirst(_label(model_field.name)),
        _kind(column, model_field),
        codes,
        tuple(found),
        _example(column, model_field, codes),
        required,
    )


def column_guides() -> list[ColumnGuide]:
    """Every column of the contract, in the contract's order."""
    return [guide(column) for column in COLUMNS]


def template_header() -> list[str]:
    """The template file's one row: every column, in the contract's order."""
    return list(COLUMNS)
