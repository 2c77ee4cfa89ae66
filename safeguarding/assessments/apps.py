from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.assessments"
    label = "assessments"
    verbose_name = "Structured assessments (templates; neglect profile)"
