from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from safeguarding.api.models import AgencyApiToken


@admin.register(AgencyApiToken)
class AgencyApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are created and revoked on the API tokens page or with the management
    commands, so the key is shown once and every change is logged. The key hash is never shown."""

    list_display = ["name", "agency", "display_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "key_prefix", "agency__code", "agency__name"]
    fields = (
        "agency",
        "name",
        "display_prefix",
        "service_user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = (
        "agency",
        "name",
        "display_prefix",
        "service_user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )

    @admin.display(description="Key starts with")
    def display_prefix(self, obj: AgencyApiToken) -> str:
        return obj.display_prefix

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
