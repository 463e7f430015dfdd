"""KPI runs and pending recomputes, read only: administrators see what ran, how it ended and what waits.
Network aims are edited here, through `kpis.aims` (validated and audited).

Runs are started from the dashboards ("Recompute now"), by beat and by record saves, never here: figures
must only come from the KPI engine (`kpis.engine`, style-anchors §4.2)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin_views import ReadOnlyAdmin, all_field_names
from kpis import aims
from kpis.models import KpiRun, NetworkAim, PendingRecompute
from kpis.registry import REGISTRY


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


class NetworkAimForm(forms.ModelForm):
    """The KPI is picked by name; the value's meaning (percent or minutes) is in its help text."""

    kpi = forms.ChoiceField(label="KPI", choices=[(code, d.TITLE) for code, d in REGISTRY.items()])

    class Meta:
        model = NetworkAim
        fields = ["kpi", "value", "rationale"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "kpi" in cleaned and "value" in cleaned and cleaned["value"] is not None:
            aims.validate(cleaned["kpi"], cleaned["value"])
        return cleaned


@admin.register(NetworkAim)
class NetworkAimAdmin(admin.ModelAdmin):
    """Network aims: set, changed and removed only through `kpis.aims` (audited, with who and when)."""

    form = NetworkAimForm
    list_display = ["kpi", "value", "rationale", "set_by", "set_at"]
    readonly_fields = ["set_by", "set_at"]

    def save_model(self, request: HttpRequest, obj: NetworkAim, form: Any, change: bool) -> None:
        saved = aims.set_aim(kpi=obj.kpi, value=obj.value, rationale=obj.rationale, by=request.user)
        obj.pk, obj.set_by, obj.set_at = saved.pk, saved.set_by, saved.set_at

    def delete_model(self, request: HttpRequest, obj: NetworkAim) -> None:
        aims.remove_aim(kpi=obj.kpi, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[NetworkAim]) -> None:
        for aim in queryset:
            aims.remove_aim(kpi=aim.kpi, by=request.user)
