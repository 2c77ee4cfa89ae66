from django.contrib import admin

from safeguarding.audits.models import AuditProgramme, AuditTool, ToolQuestion


class ToolQuestionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ToolQuestion
    extra = 0


@admin.register(AuditTool)
class AuditToolAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "is_active")
    inlines = [ToolQuestionInline]


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "title")
