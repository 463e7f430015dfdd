from django.contrib import admin

from pathway.models import Case, TemperatureObservation


class TemperatureInline(admin.TabularInline):
    model = TemperatureObservation
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only in the admin: clinical writes go through pathway.services (validation, history)."""

    list_display = ["case_ref", "birth_datetime", "birth_unit", "cooling_centre", "stage", "entered_in_error"]
    list_filter = ["stage", "therapeutic_hypothermia", "entered_in_error", "birth_unit"]
    search_fields = ["case_ref", "nhs_number"]
    inlines = [TemperatureInline]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
