"""POP screens' forms: the one-page record form, the list filters and the entered-in-error confirmation.

The record form checks each field (model validators), then the cross-field rules of `pop.rules`, so the
person typing hears about "magnesium started after birth" beside the field. `pop.services` checks everything
again inside the transaction; the form is for good messages, the service for safety. Times are typed in UK
local time (`core.forms.LocalDateTimeField`), exactly as on the HIE case screens and in the import.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import capfirst

from core.forms import DATETIME_HINT, LocalDateTimeField
from pathway.forms import (
    RecordEnteredInErrorForm,
    RecordFilterForm,
    editable_unit_ids,
    entered_in_error_reason,
    place_service_errors,
)
from pop import rules
from pop.dataset import FIELDS, POP_COLUMNS
from pop.models import PopRecord, PopRecordQuerySet
from units.access import Action, UserLike, units_for
from units.models import Designation, Unit

NOT_RECORDED = "Not recorded"
BABY_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in POP_COLUMNS)
ELEMENT_FIELDS: tuple[str, ...] = POP_COLUMNS

HINTS: dict[str, str] = {
    "case_ref": "The network reference for this baby, e.g. POP-2024-0153",
    "nhs_number": "10 digits, if known",
    "gestation_weeks": "Completed weeks, 22 to 33 (POP is for babies born before 34+0)",
    "gestation_days": "0 to 6",
    "birth_weight_g": "In grams, 400 to 6500",
    "steroids_doses": "Doses of antenatal corticosteroid before birth, 0 to 4",
    "steroids_last_dose_datetime": f"At or before birth. {DATETIME_HINT}",
    "magnesium_start_datetime": f"Leave empty if not given. At or before birth. {DATETIME_HINT}",
    "antibiotics_start_datetime": f"Leave empty if not given. At or before birth. {DATETIME_HINT}",
    "cord_clamping_seconds": "Seconds from birth to clamping, 0 to 600",
    "first_temp_c": "°C, one decimal place, 30.0 to 41.0",
    "first_temp_datetime": f"At or after birth. {DATETIME_HINT}",
    "first_breast_milk_datetime": f"Leave empty if not yet given. At or after birth. {DATETIME_HINT}",
}
WIDTHS: dict[str, int] = {
    "case_ref": 20, "nhs_number": 10, "gestation_weeks": 2, "gestation_days": 2, "birth_weight_g": 4,
    "steroids_doses": 2, "cord_clamping_seconds": 3, "first_temp_c": 4,
}


def birth_unit_choices(user: UserLike, current_id: int | None = None) -> QuerySet[Unit]:
    """Units a record may be born at: the user's editing units (every unit for network-wide roles). The
    record's current unit stays selectable so an unrelated edit never fails on it."""
    units = Unit.objects.filter(active=True).exclude(designation=Designation.TRANSPORT)
    ids = editable_unit_ids(user)
    if ids is not None:
        units = units.filter(pk__in=ids)
    return Unit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk=current_id))


def _formfield(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field with the model field's own validators (ranges, NHS number check), so the form names the
    rule beside the field even when a cross-field rule also fails."""
    field = _plain_formfield(model_field, **kwargs)
    if field is not None:
        field.validators = [*field.validators, *(v for v in model_field.validators if v not in field.validators)]
    return field


def _plain_formfield(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """UK-time text boxes for times, radios for coded answers, sized text inputs for numbers."""
    name = model_field.name
    common: dict[str, Any] = {"required": not model_field.blank, "label": capfirst(str(model_field.verbose_name))}
    if name in HINTS:
        common["help_text"] = HINTS[name]
    if isinstance(model_field, models.DateTimeField):
        return LocalDateTimeField(**common)
    if model_field.is_relation:
        return model_field.formfield(**kwargs, **common, empty_label="Choose a unit")
    if model_field.choices:
        field = cast(forms.ChoiceField, model_field.formfield(widget=forms.RadioSelect, **kwargs, **common))
        choices = cast("list[tuple[Any, str]]", field.choices)  # a model field's choices, as a list
        options = [(value, text) for value, text in choices if value not in ("", None)]
        field.choices = options if field.required else [*options, ("", NOT_RECORDED)]
        return field
    width = WIDTHS.get(name)
    attrs = {"class": f"nhsuk-input nhsuk-input--width-{width}" if width else "nhsuk-input"}
    if isinstance(model_field, models.DecimalField | models.IntegerField):
        # NHS.UK advice: text inputs with an input mode, not type=number (which mangles and scrolls values).
        attrs.update(inputmode="decimal" if isinstance(model_field, models.DecimalField) else "numeric",
                     spellcheck="false")
    return model_field.formfield(**kwargs, **common, widget=forms.TextInput(attrs=attrs))


class PopRecordForm(forms.ModelForm):
    """The whole record on one page. With `record` it edits that record and carries the version it was read
    at (a stale save is refused by the service); without, it creates one."""

    class Meta:
        model = PopRecord
        fields = list(FIELDS)
        formfield_callback = _formfield

    def __init__(self, data: Any = None, *, user: UserLike, record: PopRecord | None = None) -> None:
        self.user = user
        self.record = record
        # Bind to a fresh instance: a refused save must not leave typed values on the page's record.
        initial = {name: getattr(record, name) for name in FIELDS} if record else None
        super().__init__(data, instance=PopRecord(), initial=initial, auto_id="pop-%s")
        if record is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=record.version,
                error_messages={"required": "Reload the record and enter your changes again",
                                "invalid": "Reload the record and enter your changes again"})
        current = record.birth_unit_id if record else None
        self.fields["birth_unit"].queryset = birth_unit_choices(user, current)  # type: ignore[attr-defined]

    def baby_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in BABY_FIELDS]

    def element_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ELEMENT_FIELDS]

    def values(self) -> dict[str, Any]:
        """The record's values for `services.pop_create` / `pop_update`."""
        return {name: self.cleaned_data[name] for name in FIELDS}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def _post_clean(self) -> None:
        """Skip the ModelForm's instance validation: the rules below and the service check the record (and
        the service names the field for the NHS-number uniqueness instead of a generic constraint message)."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean returned
        if self.record is not None and self.record.entered_in_error:
            raise ValidationError("This record was marked as entered in error: it can no longer be changed")
        values = {name: cleaned.get(name) for name in FIELDS}
        for violation in rules.hard_violations(values):
            if not self.has_error(violation.field):  # its own message already says what to fix
                self.add_error(violation.field, violation.message)
        self._check_unit_scope(values.get("birth_unit"))
        return cleaned

    def _check_unit_scope(self, unit: Unit | None) -> None:
        ids = editable_unit_ids(self.user)
        if ids is None or unit is None or self.has_error("birth_unit") or unit.pk in ids:
            return
        self.add_error("birth_unit", "You can only record babies born at your own unit: choose that unit")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put what the service refused beside the field it names, or above the form."""
    place_service_errors(form, error, above=lambda name, message: f"{capfirst(rules.label(name))}: {message}")


class PopFilterForm(RecordFilterForm[PopRecordQuerySet]):
    def __init__(self, data: Any, *, user: UserLike, records: PopRecordQuerySet) -> None:
        units = units_for(user, Action.LIST).exclude(designation=Designation.TRANSPORT)
        super().__init__(data, units=units, records=records)

    def filter(self, records: PopRecordQuerySet) -> PopRecordQuerySet:
        """The records matching the valid filters (an invalid value is ignored rather than failing the list)."""
        return super().filter(records).select_related("birth_unit")


class EnteredInErrorForm(RecordEnteredInErrorForm):
    entered_in_error_reason = entered_in_error_reason("record", "POP-2024-0153")

    def __init__(self, data: Any = None, *, record: PopRecord) -> None:
        super().__init__(data, version=record.version)
