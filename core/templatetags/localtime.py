"""Display filters for clinical times: UK local wall clock, the way the notes are written.

`{% load localtime %}` then `{{ case.birth_datetime|local_datetime }}` → "14/05/2024 03:10". A wall time
that happens twice (the hour after the clocks go back) gets its zone, "27/10/2024 01:30 GMT", so two
readings an hour apart never print the same.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template

from core.timeutil import LONDON, LocalTimeError, localise

register = template.Library()


def _is_repeated_hour(local: datetime) -> bool:
    try:
        localise(local.replace(tzinfo=None))
    except LocalTimeError:
        return True
    return False


@register.filter
def local_datetime(value: datetime | None) -> str:
    if not isinstance(value, datetime):
        return ""
    local = value.astimezone(LONDON)
    text = f"{local:%d/%m/%Y %H:%M}"
    return f"{text} {local.tzname()}" if _is_repeated_hour(local) else text


@register.filter
def local_date(value: date | None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else ""


@register.filter
def local_time(value: datetime | None) -> str:
    if not isinstance(value, datetime):
        return ""
    local = value.astimezone(LONDON)
    return f"{local:%H:%M} {local.tzname()}" if _is_repeated_hour(local) else f"{local:%H:%M}"


@register.filter
def minutes(value: float | None) -> str:
    """Minutes as "230 min (3:50)": the minutes for the standards, hours:minutes for the bedside."""
    if value is None or value == "":
        return ""
    total = round(float(value))
    sign = "-" if total < 0 else ""
    hours, mins = divmod(abs(total), 60)
    return f"{total} min ({sign}{hours}:{mins:02d})"
