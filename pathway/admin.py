from django.contrib import admin

from core.admin_views import ReadOnlyAdmin, all_field_names, record_fieldsets
from pathway.models import Case, TemperatureObservation
from pathway.sections import SECTIONS


class TemperatureInline(admin.TabularInline):
    model = TemperatureObservation
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only in the admin: clinical writes go through pathway.services (validation, history)."""

    list_display = ["case_ref", "birth_datetime", "birth_unit", "cooling_centre", "stage", "entered_in_error"]
    list_filter = ["stage", "therapeutic_hypothermia", "referral_decision", "entered_in_error", "birth_unit",
                   "transport_service"]
    search_fields = ["case_ref", "nhs_number"]
    inlines = [TemperatureInline]
    fieldsets = record_fieldsets(Case, [(section.title, section.fields) for section in SECTIONS],
                                 "Stage, derived values and record keeping")
    readonly_fields = all_field_names(Case)
