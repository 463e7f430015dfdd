"""The admin's user pages, audited: an administrator closing an account, granting staff or superuser
status or setting a password leaves an AuditEvent naming them (core.admin_views.AuditedAdmin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from core import audit
from core.admin_views import AuditedAdmin

User = get_user_model()


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    audit_hidden_fields = ("password",)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # saved (a refused form is a 200)
            user = User.objects.get(pk=id)
            audit.record(actor=request.user, action="update", object_type="auth.user", object_id=user.pk,
                         summary=f"In the admin, set a new password for {user.get_username()}",
                         changes={"password": ["(hidden)", "(changed)"]})
        return response

    def _audit_values(self, obj: Any) -> dict[str, Any]:
        values = super()._audit_values(obj)
        values.pop("last_login", None)  # written by every sign-in, not an administrator's change
        return values


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
