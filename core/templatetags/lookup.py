"""`{{ mapping|get_item:key }}`: look a value up by a key held in another variable (Django templates
cannot index with a variable)."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[object, object] | None, key: object) -> object:
    return mapping.get(key, "") if mapping else ""
