"""Form fields shared by every screen that takes a clinical time.

Times are typed, not picked: a nurse copies them from the notes, and the browser's datetime-local input
cannot express the hour that happens twice when the clocks go back. `LocalDateTimeField` parses with
`core.timeutil.parse_local_datetime`, so the screens refuse exactly what the import refuses
(dataset.md "Date-times"), with the same message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.timeutil import LocalTimeError, format_for_input, parse_local_datetime

DATETIME_HINT = "UK time, e.g. 14/05/2024 03:10"
DATE_HINT = "e.g. 14/05/2026"


class LocalDateTimeInput(forms.TextInput):
    """A text box showing the stored instant as UK wall-clock time (with its offset only when ambiguous)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # Wide enough for "2024-10-27T01:30+01:00", the longest form a nurse may need to type.
        base = {"class": "nhsuk-input nhsuk-input--width-20", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime):
            return format_for_input(value)
        return super().format_value(value)


class LocalDateTimeField(forms.Field):
    """An aware datetime from UK local text; refuses non-existent and ambiguous clock-change times."""

    widget = LocalDateTimeInput
    default_error_messages = {"invalid": "Enter a date and time, e.g. 14/05/2024 03:10"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATETIME_HINT)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_local_datetime(text)
        except LocalTimeError as exc:
            # The message says why (gap, repeated hour, not a date): show it as is.
            raise ValidationError(str(exc), code="invalid_local_time") from None

    def prepare_value(self, value: Any) -> Any:
        return format_for_input(value) if isinstance(value, datetime) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        return initial != new


class UKDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (ISO also accepted)."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("widget", forms.DateInput(format="%d/%m/%Y",
                                                    attrs={"class": "nhsuk-input nhsuk-input--width-10"}))
        super().__init__(**kwargs)
