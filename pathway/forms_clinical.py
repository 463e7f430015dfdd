"""The temperature entry form: a reading's UK local time, its value and its site.

The time is typed as text and parsed with `core.timeutil.parse_local_datetime`, so the clock-change rules
of dataset.md apply here as in the import: a time skipped when the clocks go forward is refused, and one
that happens twice when they go back needs its offset. The range check repeats the model's 28.0–42.0 °C
so the message names the field; `services.temperature_add` still validates everything (time before birth
included) and `add_service_errors` puts what it refuses next to the right field.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.timeutil import LocalTimeError, parse_local_datetime
from pathway import choices as c
from pathway import standards

TEMP_RANGE = (standards.PLAUSIBLE_LOW_C, standards.PLAUSIBLE_HIGH_C)


class TemperatureForm(forms.Form):
    observed_at = forms.CharField(
        label="Date and time of the reading",
        help_text="UK time, for example 31/03/2024 06:50. On the night the clocks go back, add +01:00 (BST) "
                  "or +00:00 (GMT) to a time between 01:00 and 02:00.",
        error_messages={"required": "Enter the date and time of the reading"},
        max_length=40,
    )
    temp_c = forms.DecimalField(
        label="Temperature (°C)",
        decimal_places=1,
        error_messages={
            "required": "Enter the temperature (°C)",
            "invalid": "Enter the temperature (°C) as a number, for example 33.5",
            "max_decimal_places": "Enter the temperature (°C) to one decimal place, for example 33.5",
            "max_digits": "Enter the temperature (°C) to one decimal place, for example 33.5",
        },
    )
    site = forms.ChoiceField(
        label="Site",
        choices=c.TemperatureSite.choices,
        widget=forms.RadioSelect,
        help_text="Only rectal and oesophageal readings count for the cooling standards.",
        error_messages={"required": "Choose where the temperature was taken",
                        "invalid_choice": "Choose where the temperature was taken"},
    )

    def clean_observed_at(self) -> datetime:
        text: str = self.cleaned_data["observed_at"]
        try:
            value = parse_local_datetime(text)
        except LocalTimeError as exc:
            raise ValidationError(f"Date and time of the reading: {exc}") from None
        if value > timezone.now():
            raise ValidationError("The date and time of the reading cannot be in the future")
        return value

    def clean_temp_c(self) -> Decimal:
        value: Decimal = self.cleaned_data["temp_c"]
        low, high = TEMP_RANGE
        if not low <= value <= high:
            raise ValidationError(
                f"Temperature (°C) must be between {low} and {high} °C: {value} is likely an entry error")
        return value

    def add_service_errors(self, error: ValidationError) -> None:
        """Show what the service refused beside the field it names (or above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)
