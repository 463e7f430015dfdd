from django.contrib import admin
from django.db import models

from core.admin_views import ReadOnlyAdmin, all_field_names, record_fieldsets
from pop.dataset import FIELDS
from pop.models import NationalComparator, PopRecord


@admin.register(PopRecord)
class PopRecordAdmin(ReadOnlyAdmin):
    """Read-only in the admin: clinical writes go through pop.services (validation, history, KPIs)."""

    list_display = ["case_ref", "birth_datetime", "birth_unit", "gestation_weeks", "entered_in_error"]
    list_filter = ["entered_in_error", "birth_unit"]
    search_fields = ["case_ref", "nhs_number"]
    fieldsets = record_fieldsets(PopRecord, [("POP record (dataset order)", FIELDS)])
    readonly_fields = all_field_names(PopRecord)


@admin.register(NationalComparator)
class NationalComparatorAdmin(admin.ModelAdmin):
    """National figures change with each audit year: administrators keep them here, with their source."""

    list_display = ["measure", "year", "value_percent", "population", "source", "verified"]
    list_filter = ["measure", "verified"]
    search_fields = ["measure", "source"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
