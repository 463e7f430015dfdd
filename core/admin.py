from django.contrib import admin

from core.admin_views import ReadOnlyAdmin
from core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "summary", "actor__username"]
