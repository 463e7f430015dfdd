"""Read-only admin pages for dataset records, laid out as the screens are rather than in model order.

`record_fieldsets(model, groups)` shows the given groups of fields first, then every other column (stage,
derived times, data-quality flags, record keeping) in one last group, so no field is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

Fieldsets = list[tuple[str, dict[str, Any]]]


def all_field_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if not f.primary_key)


def record_fieldsets(model: type[models.Model], groups: Sequence[tuple[str, Sequence[str]]],
                     rest_title: str = "Derived values and record keeping") -> Fieldsets:
    shown = {name for _, names in groups for name in names}
    rest = tuple(name for name in all_field_names(model) if name not in shown)
    return [(title, {"fields": tuple(names)}) for title, names in groups] + [(rest_title, {"fields": rest})]
