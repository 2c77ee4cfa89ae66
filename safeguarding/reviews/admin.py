from django.contrib import admin

from safeguarding.reviews.models import Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
