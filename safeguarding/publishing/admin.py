from django.contrib import admin

from safeguarding.publishing.models import CommitteeReport, GeneratedReport, ReportText


@admin.register(CommitteeReport)
class CommitteeReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("reference", "title", "committee", "meeting_on")
    readonly_fields = [f.name for f in CommitteeReport._meta.fields]


@admin.register(ReportText)
class ReportTextAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("report", "number", "created_by", "created_at")
    readonly_fields = [f.name for f in ReportText._meta.fields]


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("report", "status", "generated_at", "plan_version")
    exclude = ("pdf", "docx")
    readonly_fields = [f.name for f in GeneratedReport._meta.fields if f.name not in ("pdf", "docx")]
