"""Improvement actions are read in the admin; every change goes through the screens (services audit it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from improvement.models import ImprovementAction


@admin.register(ImprovementAction)
class ImprovementActionAdmin(admin.ModelAdmin):
    list_display = ("kpi", "unit", "owner", "due_date", "status")
    list_filter = ("status", "unit")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
