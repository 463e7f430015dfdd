"""Read-only admin pages: records are written through services (validation, audit, history), never here.

`ReadOnlyAdmin` refuses add, change and delete. `record_fieldsets(model, groups)` lays a dataset record out
as the screens do rather than in model order: the given groups of fields first, then every other column
(stage, derived times, data-quality flags, record keeping) in one last group, so no field is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts  # the stubs' names for a fieldset's options and title
    from django.utils.functional import _StrPromise

    Fieldsets = list[tuple[str | _StrPromise | None, _FieldOpts]]


def all_field_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if not f.primary_key)


def record_fieldsets(model: type[models.Model], groups: Sequence[tuple[str, Sequence[str]]],
                     rest_title: str = "Derived values and record keeping") -> Fieldsets:
    shown = {name for _, names in groups for name in names}
    rest = tuple(name for name in all_field_names(model) if name not in shown)
    fieldsets: Fieldsets = [(title, {"fields": tuple(names)}) for title, names in groups]
    return [*fieldsets, (rest_title, {"fields": rest})]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
