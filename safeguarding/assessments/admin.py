"""Templates are loaded from files (`load_assessment_template`), so the admin only switches a template
version in or out of use. Descriptors (licensed wording) and assessments are not in the admin at all:
descriptors are shown only to trained people, and assessments change only through their services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from safeguarding.assessments.models import AssessmentTemplate


@admin.register(AssessmentTemplate)
class AssessmentTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "grade_by", "is_active"]
    fields = ["code", "name", "version", "grade_by", "description", "licence_note", "is_active"]
    readonly_fields = ["code", "name", "version", "grade_by", "description", "licence_note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
