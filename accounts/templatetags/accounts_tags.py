from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> str:
    """'30 minutes' for the lockout page (axes gives the cool-off as a timedelta)."""
    if not value:
        return "a while"
    count = round(value.total_seconds() / 60)
    return f"{count} minute{'s' if count != 1 else ''}"
