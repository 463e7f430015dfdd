"""Read-only admin pages: records are written through services (validation, audit, history), never here.

`ReadOnlyAdmin` refuses add, change and delete. `AuditedAdmin` is for the reference and access tables an
administrator does edit in the admin (units, memberships, users): every add, change and delete there
leaves an `AuditEvent` naming the administrator, with the fields old → new.

`record_fieldsets(model, groups)` lays a dataset record out as the screens do rather than in model order:
the given groups of fields first, then every other column (stage, derived times, data-quality flags,
record keeping) in one last group, so no field is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from core import audit
from core.models import AuditEvent

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


class AuditedAdmin(admin.ModelAdmin):
    """Audits every write made through this admin page (the admin's own LogEntry is not the audit trail:
    it keeps no old values, and the sign-in log and history pages do not read it)."""

    audit_hidden_fields: tuple[str, ...] = ()  # recorded as changed, never with their values (a password hash)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = self._audit_values(type(obj)._default_manager.get(pk=obj.pk)) if change else {}
            super().save_model(request, obj, form, change)
            self._audit(request, obj, AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
                        "changed" if change else "added", before, self._audit_values(obj))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (a unit's placements) are audited one by one, like a record saved from its own page."""
        with transaction.atomic():
            before = {f.instance.pk: self._audit_values(type(f.instance)._default_manager.get(pk=f.instance.pk))
                      for f in formset.initial_forms if f.instance.pk is not None}
            deleted = {f.instance.pk: before.get(f.instance.pk, {}) for f in formset.deleted_forms
                       if f.instance.pk is not None}
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                self._audit(request, obj, AuditEvent.Action.CREATE, "added", {}, self._audit_values(obj))
            for obj, _fields in formset.changed_objects:
                self._audit(request, obj, AuditEvent.Action.UPDATE, "changed", before.get(obj.pk, {}),
                            self._audit_values(obj))
            for obj in formset.deleted_objects:
                self._audit(request, obj, "delete", "deleted", deleted.get(obj.pk, {}), {})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit(request, obj, "delete", "deleted", self._audit_values(obj), {})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:  # one audit row per record, as a delete from its own page
            self.delete_model(request, obj)

    def _audit_values(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in all_field_names(type(obj))}

    def _audit(self, request: HttpRequest, obj: Any, action: str, verb: str, before: dict[str, Any],
               after: dict[str, Any]) -> None:
        changes = audit.changes(before, after)
        for name in set(self.audit_hidden_fields) & set(changes):
            changes[name] = ["(hidden)", "(changed)"]
        meta = type(obj)._meta
        audit.record(actor=request.user, action=action, object_type=f"{meta.app_label}.{meta.model_name}",
                     object_id=obj.pk, summary=f"In the admin, {verb} {meta.verbose_name} {obj}", changes=changes)
