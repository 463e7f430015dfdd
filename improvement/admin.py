"""Improvement actions are read in the admin; every change goes through the screens (services audit it)."""

from __future__ import annotations

from django.contrib import admin

from core.admin_views import ReadOnlyAdmin
from improvement.models import ImprovementAction


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ReadOnlyAdmin):
    list_display = ("kpi", "unit", "owner", "due_date", "status")
    list_filter = ("status", "unit")
