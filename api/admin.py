from django.contrib import admin
from django.http import HttpRequest

from api import services
from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see every token and revoke any; keys are never shown (only their start)."""

    list_display = ["name", "user", "key_start", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at",
                    "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "key_start"]
    readonly_fields = [*list_display, "reason", "revoked_reason"]
    fields = readonly_fields
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: object) -> None:
        for token in queryset:  # type: ignore[attr-defined]
            services.token_revoke(token=token, by=request.user, why="revoked by an administrator")
        self.message_user(request, "Tokens revoked")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is shown once to its owner, on the tokens page

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoked, not deleted: the row is the record of who had access
