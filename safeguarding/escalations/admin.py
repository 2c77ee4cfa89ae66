from django.contrib import admin

from safeguarding.escalations.models import EscalationReason, EscalationStage


@admin.register(EscalationReason)
class EscalationReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]


@admin.register(EscalationStage)
class EscalationStageAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "response_working_days", "urgent_response_hours"]
