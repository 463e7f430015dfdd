"""Admin: impact-estimate inputs are edited here (audited); the export log and jobs are read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core import audit
from core.admin_views import ReadOnlyAdmin
from core.models import AuditEvent
from reporting.models import ExportJob, ExportRecord, ImpactInput

_INPUT_FIELDS = ("label", "value", "unit", "source", "year")


@admin.register(ImpactInput)
class ImpactInputAdmin(admin.ModelAdmin):
    list_display = ("key", "label", "value", "unit", "source", "year", "updated_at")
    readonly_fields = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: ImpactInput, form: Any, change: bool) -> None:
        before = ImpactInput.objects.filter(pk=obj.pk).values(*_INPUT_FIELDS).first() or {}
        super().save_model(request, obj, form, change)
        changes = audit.changes(before, {f: getattr(obj, f) for f in _INPUT_FIELDS})
        audit.record(actor=request.user, action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
                     object_type="reporting.impactinput", object_id=obj.pk,
                     summary=f"Impact input {obj.key} {'changed' if change else 'added'}", changes=changes)


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "by", "kind", "what", "scope", "rows", "identifiable", "small_numbers_suppressed")
    list_filter = ("kind", "identifiable")


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "created_by", "kind", "status", "progress_done", "progress_total", "expires_at")
    list_filter = ("kind", "status")
