"""The dashboards' one form: a custom range of birth dates (the other periods are picked from a list)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import UKDateField
from kpis.periods import Period, custom_period

MAX_YEARS: Final = 10  # the demo and real data hold about five years; longer ranges are a typing slip


class CustomRangeForm(forms.Form):
    """First and last date of birth, both included (UK dates); counted on demand (`kpis.ondemand`)."""

    start = UKDateField(label="From (date of birth)")
    end = UKDateField(label="To (date of birth)")

    def clean_end(self) -> date:
        end: date = self.cleaned_data["end"]
        if end > timezone.localdate():
            raise ValidationError("The last date of birth cannot be in the future")
        return end

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last date of birth must be on or after the first")
        elif start and end and (end - start).days > MAX_YEARS * 366:
            self.add_error("start", f"Choose a range of at most {MAX_YEARS} years")
        return cleaned

    def period(self) -> Period:
        return custom_period(self.cleaned_data["start"], self.cleaned_data["end"])
