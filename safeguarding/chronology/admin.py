from django.contrib import admin

from safeguarding.chronology.models import EventType, ImportBatch


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    """The partnership extends its vocabulary here (types are never deleted: entries refer to them)."""

    list_display = ("label", "code", "tags", "takes_value", "is_active")
    list_filter = ("is_active", "takes_value")
    search_fields = ("code", "label")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("filename", "agency", "status", "dry_run", "rows_total", "events_created", "created_at")
    list_filter = ("status", "agency")
    exclude = ("content",)
    readonly_fields = [f.name for f in ImportBatch._meta.fields if f.name != "content"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
