from django.contrib import admin
from django.http import HttpRequest

from core.admin_views import AuditedAdmin
from units.models import LiveBirths, Membership, Network, Unit


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "region_code"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["short_name", "ods_code", "designation", "is_cooling_centre", "trust_ods", "active"]
    list_filter = ["designation", "is_cooling_centre", "active"]
    search_fields = ["name", "short_name", "ods_code", "former_ods_codes", "trust_name"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    """A membership is a role grant: each add, change and removal is audited with the administrator's name."""

    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["unit"]


@admin.register(LiveBirths)
class LiveBirthsAdmin(admin.ModelAdmin):
    """Read only: live births are recorded on their screen (/units/live-births/), which validates and audits."""

    list_display = ["unit", "year", "live_births", "updated_at", "updated_by"]
    list_filter = ["year", "unit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
