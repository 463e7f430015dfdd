"""Admin: the key-message list is editable here as on the training screens (through the same audited
service); sessions and establishments are shown read-only, since their screens validate and audit them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from core.admin_views import ReadOnlyAdmin
from training import services
from training.models import Establishment, KeyMessage, TrainingSession
from units.models import default_network_id


class KeyMessageAdminForm(forms.ModelForm):
    class Meta:
        model = KeyMessage
        fields = ["network", "text", "active", "order"]

    def clean(self) -> dict[str, Any]:
        # The service refuses the same text in another case on the network's list; say so here, not on save.
        data = super().clean() or {}
        text = (data.get("text") or "").strip()
        network = data.get("network")
        network_id = self.instance.network_id if self.instance.pk else (network.pk if network else default_network_id())
        clash = KeyMessage.objects.filter(Q(network_id=network_id), text__iexact=text).exclude(pk=self.instance.pk)
        if text and clash.exists():
            self.add_error("text", f"Key message “{text}” is already on the list")
        return data


@admin.register(KeyMessage)
class KeyMessageAdmin(admin.ModelAdmin):
    form = KeyMessageAdminForm
    list_display = ["text", "network", "active", "order"]
    list_filter = ["network", "active"]
    list_editable = ["active", "order"]
    search_fields = ["text"]

    def save_model(self, request: HttpRequest, obj: KeyMessage, form: Any, change: bool) -> None:
        existing = KeyMessage.objects.get(pk=obj.pk) if change else None
        saved = services.key_message_save(message=existing, text=obj.text, active=obj.active, order=obj.order,
                                          by=request.user, network=obj.network)
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: KeyMessage | None = None) -> bool:
        return False  # retire instead: past sessions keep the messages they covered


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ["date", "unit", "format", "trainer"]
    list_filter = ["format", "unit"]
    date_hierarchy = "date"


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    list_display = ["unit", "effective_from", "recorded_by", "recorded_at"]
    list_filter = ["unit"]
