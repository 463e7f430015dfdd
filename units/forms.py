"""Forms of the live-births screen. The rules live in `units.births`; a form only parses, and the service's
refusals are shown beside the field they name."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from units.models import LIVE_BIRTHS_MAX, Unit


class LiveBirthsForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Unit", empty_label="Choose a unit")
    year = forms.IntegerField(
        label="Calendar year",
        help_text="For example, 2025",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4"}),
    )
    live_births = forms.IntegerField(
        label="Live births",
        min_value=0,
        max_value=LIVE_BIRTHS_MAX,
        help_text="Babies born alive at the unit in that calendar year",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-5"}),
    )

    def __init__(self, *args: object, units: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class LiveBirthsFileForm(forms.Form):
    file = forms.FileField(
        label="Live-births file (CSV)", help_text="Columns unit_ods, year, live_births; one row per unit and year"
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put what the service refused beside the field it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
