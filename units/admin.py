from django.contrib import admin
from django.http import HttpRequest

from core.admin_views import AuditedAdmin
from units.models import LiveBirths, Membership, Network, Organisation, Unit, UnitPlacement

# Organisations, networks, units and placements are loaded from reference files (`load_organisations`,
# docs/organisations.md) and corrected here; every add, change and removal is audited (AuditedAdmin).


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    list_display = ["name", "code", "short_name", "region", "valid_from", "valid_to"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


class UnitPlacementInline(admin.TabularInline):
    """Where the unit sat over time: add a row with a start date (and end the previous one) when it moves."""

    model = UnitPlacement
    extra = 0
    fields = ["network", "trust", "lmns", "icb", "valid_from", "valid_to"]
    autocomplete_fields = ["trust", "lmns", "icb"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["short_name", "ods_code", "network", "designation", "is_cooling_centre", "trust_ods", "active"]
    list_filter = ["network", "designation", "is_cooling_centre", "active"]
    search_fields = ["name", "short_name", "ods_code", "former_ods_codes", "trust_name"]
    inlines = [UnitPlacementInline]


@admin.register(UnitPlacement)
class UnitPlacementAdmin(AuditedAdmin):
    list_display = ["unit", "network", "trust", "lmns", "icb", "valid_from", "valid_to"]
    list_filter = ["network"]
    search_fields = ["unit__ods_code", "unit__short_name"]
    autocomplete_fields = ["unit", "trust", "lmns", "icb"]


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
