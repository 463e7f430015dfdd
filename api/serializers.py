"""What the API reads and writes: a case as the dataset's columns (units by ODS code, like the CSV),
units, KPI figures, and the error body.

Input serializers only convert types and check per-field bounds taken from the `Case` field validators (so
each range is written down once, in pathway/models.py); the unit choices are the screens' own
(pathway.forms); everything else is judged by `pathway.services`. No serializer saves anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import capfirst
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import concrete_field
from core.timeutil import LONDON, LocalTimeError, parse_local_datetime
from kpis.definitions.base import Level
from kpis.models import KpiAggregate
from kpis.periods import PeriodType
from pathway import csv_io, rules
from pathway.choices import MriSequence, Stage, ordered_sequences
from pathway.dataset import COLUMNS, UNIT_COLUMNS, field_for
from pathway.forms import birth_unit_choices, cooling_centre_choices, editable_unit_ids
from pathway.models import Case
from units.access import ROLE_ACTIONS, Action, UserLike, memberships
from units.models import Unit

DATETIME_HELP = ("ISO 8601. With an offset it is that instant; without, UK local time (a time the clocks skip "
                 "is refused, one they repeat needs its offset). Given back in UK time with its offset.")


# --- Field types ----------------------------------------------------------------------------------------


def iso_local(value: datetime) -> str:
    """UK local time with its offset and at least seconds (RFC 3339), never losing precision."""
    local = value.astimezone(LONDON)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


class LocalDateTimeField(serializers.DateTimeField):
    """Parses exactly as the screens and the CSV import do (core.timeutil), and answers in UK time."""

    def to_internal_value(self, value: Any) -> datetime:
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DDTHH:MM[:SS][+HH:MM]")
        if "\x00" in value:
            raise serializers.ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
        try:
            # Also refuses far-off years (year 1 with an offset would fall off the calendar in UTC).
            return parse_local_datetime(value)
        except LocalTimeError as exc:
            raise serializers.ValidationError(str(exc), code="invalid_local_time") from None

    def to_representation(self, value: datetime | None) -> str | None:  # type: ignore[override]  # DRF writes a None as null; the stubs want a str
        return None if value is None else iso_local(value)


class UnitCodeField(serializers.Field):
    """A unit by its ODS site code (a former code is accepted, as in the CSV); given back as the current code."""

    default_error_messages = {
        "unknown_unit": "Unknown ODS site code '{code}': not a unit of the network",
        "invalid": "Give the unit's ODS site code as text, e.g. RGT01",
        "null_characters_not_allowed": "Null characters are not allowed.",
    }

    def to_internal_value(self, data: Any) -> Unit:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        if "\x00" in data:  # PostgreSQL refuses NUL in text: a server error if it reached the lookup
            self.fail("null_characters_not_allowed")
        unit = Unit.objects.by_code(data)
        if unit is None:
            self.fail("unknown_unit", code=data.strip())
        return unit

    def to_representation(self, value: Unit) -> str:
        return value.ods_code


extend_schema_field({"type": "string", "example": "RGT01"})(UnitCodeField)


class SequencesField(serializers.ListField):
    """MRI sequences: a list of codes (any order, repeats ignored), stored and given back in the dataset's
    order (t1, t2, dwi, mrs, swi)."""

    def to_internal_value(self, data: Any) -> list[str]:
        # One message for the field (as the CSV words it), not one per list item.
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("not_a_list", input_type=type(data).__name__)
        codes = [item.strip().lower() for item in data]
        unknown = [code for code in codes if code not in MriSequence.values]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown sequence '{unknown[0]}': use a list of {', '.join(MriSequence.values)}",
                code="invalid_choice")
        return ordered_sequences(codes)


def _bounds(model_field: models.Field[Any, Any]) -> dict[str, Any]:
    """min_value / max_value from the field's validators (the tightest, with the database's own range)."""
    lows = [v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)]
    return {**({"min_value": max(lows)} if lows else {}), **({"max_value": min(highs)} if highs else {})}


def dataset_field(column: str, *, required: bool) -> serializers.Field:
    """The API field for a dataset column, typed and bounded like the `Case` field behind it."""
    model_field = concrete_field(Case, field_for(column))
    common: dict[str, Any] = {"required": required, "help_text": capfirst(str(model_field.verbose_name))}
    if model_field.name != column:
        common["source"] = model_field.name
    if column in UNIT_COLUMNS:
        return UnitCodeField(allow_null=model_field.null, **common)
    if isinstance(model_field, ArrayField):  # mri_sequences: a set, given back in the dataset's order
        sequences = cast("list[tuple[str, str]]", model_field.base_field.choices)
        return SequencesField(child=serializers.ChoiceField(choices=sequences), allow_empty=True, **common)
    if isinstance(model_field, models.DateTimeField):
        return LocalDateTimeField(allow_null=model_field.null, **{**common, "help_text":
                                  f"{common['help_text']}. {DATETIME_HELP}"})
    if isinstance(model_field, models.DateField):
        return serializers.DateField(allow_null=model_field.null, **common)
    if model_field.choices:
        return serializers.ChoiceField(choices=model_field.choices, allow_null=model_field.null,
                                       allow_blank=model_field.blank and not model_field.null, **common)
    if isinstance(model_field, models.DecimalField):
        return serializers.DecimalField(max_digits=model_field.max_digits, decimal_places=model_field.decimal_places,
                                        allow_null=model_field.null, **_bounds(model_field), **common)
    if isinstance(model_field, models.IntegerField):
        return serializers.IntegerField(allow_null=model_field.null, **_bounds(model_field), **common)
    return serializers.CharField(max_length=model_field.max_length,  # type: ignore[arg-type]  # None: no limit, as DRF allows
                                 allow_blank=model_field.blank, **common)


# --- Cases ----------------------------------------------------------------------------------------------


class CaseSerializer(serializers.Serializer):
    """A case: every dataset column, then the record keeping the system maintains (read only).

    On create, the dataset's required columns are required and the others optional (empty = not recorded).
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        required = {column for column in COLUMNS if field_for(column) in rules.REQUIRED}
        return {
            "id": serializers.IntegerField(read_only=True),
            **{column: dataset_field(column, required=column in required) for column in COLUMNS},
            "stage": serializers.ChoiceField(choices=Stage.choices, read_only=True),
            "dq_flags": serializers.ListField(child=serializers.CharField(), read_only=True,
                                              help_text="Data-quality warnings (soft rules) the case carries"),
            "entered_in_error": serializers.BooleanField(read_only=True),
            "entered_in_error_reason": serializers.CharField(read_only=True),
            "version": self.version_field(),
            "created_at": LocalDateTimeField(read_only=True),
            "updated_at": LocalDateTimeField(read_only=True),
        }

    def version_field(self) -> serializers.Field:
        return serializers.IntegerField(read_only=True, help_text="Send it back with a change (optimistic lock)")

    def to_representation(self, instance: Case) -> dict[str, Any]:
        data = super().to_representation(instance)
        pseudonymise = self.context.get("pseudonymise")
        return data if pseudonymise is None else self._pseudonymised(instance, data, pseudonymise)

    def _pseudonymised(self, case: Case, data: dict[str, Any], pseudonymise: Any) -> dict[str, Any]:
        """The CSV export's pseudonymisation (csv_io.case_values), not a second one: no NHS number, a
        pseudonym for case_ref, every time moved back with birth to the 1st of its month. The record-keeping
        times move by the same amount, and the free-text reason (which may name a baby) is left out."""
        values = csv_io.case_values(case, pseudonymise)
        for column in COLUMNS:
            value = values[column]
            data[column] = None if value is None else self.fields[column].to_representation(value)
        shift = case.birth_datetime - values["birth_datetime"]  # type: ignore[operator]
        for stamp in ("created_at", "updated_at"):
            data[stamp] = iso_local(getattr(case, stamp) - shift)
        data["entered_in_error_reason"] = ""
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The screens' unit rules: which units the user may choose, and that the case stays theirs."""
        user: UserLike = self.context["user"]
        case: Case | None = self.context.get("case")
        errors: dict[str, list[serializers.ErrorDetail]] = {}
        birth, centre = attrs.get("birth_unit"), attrs.get("cooling_centre")
        if birth is not None and not birth_unit_choices(user, case.birth_unit_id if case else None).filter(
                pk=birth.pk).exists():
            errors["birth_unit_ods"] = [serializers.ErrorDetail(
                f"{birth} is not a unit you can record a birth at", code="invalid_choice")]
        if centre is not None and not cooling_centre_choices(case.cooling_centre_id if case else None).filter(
                pk=centre.pk).exists():
            errors["cooling_centre_ods"] = [serializers.ErrorDetail(
                f"{centre} is not an active cooling centre", code="invalid_choice")]
        if not errors and _units_change(case, attrs):
            errors.update(_scope_errors(user, case, attrs))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _units_change(case: Case | None, attrs: dict[str, Any]) -> bool:
    """A new case, or a change of its birth unit or cooling centre (a PUT sends them unchanged too: keeping
    them is no new claim on the case, so a section role's PUT is judged on its own section)."""
    if case is None:
        return "birth_unit" in attrs or "cooling_centre" in attrs
    return any(f in attrs and getattr(attrs[f], "pk", None) != getattr(case, f"{f}_id")
               for f in ("birth_unit", "cooling_centre"))


def _scope_errors(user: UserLike, case: Case | None, attrs: dict[str, Any]) -> dict[str, list[Any]]:
    """A user may only create (or keep) a case they may edit: born or cooled at one of their units
    (the screens' rule, pathway.forms.CaseSectionForm._check_unit_scope)."""
    ids = editable_unit_ids(user)
    if ids is None:
        return {}
    chosen = {getattr(attrs.get(f, getattr(case, f, None) if case else None), "pk", None)
              for f in ("birth_unit", "cooling_centre")}
    if chosen & ids:
        return {}
    names = ", ".join(sorted(m.unit.short_name for m in memberships(user) if Action.EDIT in ROLE_ACTIONS[m.role]))
    return {"birth_unit_ods": [serializers.ErrorDetail(
        f"You can only record babies born or cooled at your unit ({names}): choose that unit as the birth unit "
        "or cooling centre", code="unit_scope")]}


VERSION_REQUIRED = "Give the version you read (from GET), so a newer change is never overwritten"


class CaseUpdateSerializer(CaseSerializer):
    """A change: the columns to change (PATCH) or every column (PUT), with the version it was edited from."""

    def version_field(self) -> serializers.Field:
        return serializers.IntegerField(
            min_value=1, help_text="The version you read; a newer version on the server is a 409 Conflict",
            error_messages={"required": VERSION_REQUIRED})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH skips "required" field checks, but no change may be saved without its version.
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [serializers.ErrorDetail(VERSION_REQUIRED,
                                                                                     code="required")]})
        return super().validate(attrs)


class EnteredInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text="Why the case was entered in error",
                                   error_messages={"blank": "Give the reason the case was entered in error",
                                                   "required": "Give the reason the case was entered in error"})
    version = serializers.IntegerField(min_value=1, help_text="The version you read")


# --- Reference data and figures ---------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    former_ods_codes = serializers.ListField(child=serializers.CharField(), source="former_codes", read_only=True)

    class Meta:
        model = Unit
        fields = ["ods_code", "former_ods_codes", "name", "short_name", "trust_name", "trust_ods", "designation",
                  "is_cooling_centre", "active"]


class KpiAggregateSerializer(serializers.ModelSerializer):
    """One stored figure, with the keys of `export_kpis` (kpi, level, org, period, ...)."""

    level = serializers.ChoiceField(choices=[(level.value, level.value) for level in Level])
    org = serializers.CharField(source="org_code",
                                help_text="ODS code of the unit, or the trust, LMNS, ICB, network (EOE) or region code")
    period = serializers.CharField(source="period_key", help_text="e.g. 2024, 2024-Q3, 2024-07, R12-2024-07")
    period_type = serializers.ChoiceField(choices=PeriodType.choices)

    class Meta:
        model = KpiAggregate
        fields = ["kpi", "level", "org", "period", "period_type", "period_start", "period_end", "numerator",
                  "denominator", "not_eligible", "missing", "rate", "n", "median", "q1", "q3", "definition_version"]


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field at fault; null for the whole request")
    rule = serializers.CharField(help_text="The rule broken, e.g. required, max_value, order.rewarming_end")
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]  # the error body's documented field, named as Serializer.errors
