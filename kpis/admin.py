"""KPI runs and pending recomputes, read only: administrators see what ran, how it ended and what waits.

Runs are started from the dashboards ("Recompute now"), by beat and by record saves, never here: figures
must only come from the KPI engine (`kpis.engine`, style-anchors §4.2)."""

from django.contrib import admin

from core.admin_views import ReadOnlyAdmin, all_field_names
from kpis.models import KpiRun, PendingRecompute


@admin.register(KpiRun)
class KpiRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "producer", "started_at", "finished_at", "trigger", "scope", "status", "rows_written",
                    "triggered_by"]
    list_filter = ["producer", "status", "trigger", "scope"]
    readonly_fields = all_field_names(KpiRun)
    date_hierarchy = "started_at"


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(ReadOnlyAdmin):
    list_display = ["producer", "period_key", "queued_at"]
    list_filter = ["producer"]
    readonly_fields = all_field_names(PendingRecompute)
