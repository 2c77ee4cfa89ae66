from django.apps import AppConfig


class AuditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.audits"
    label = "audits"
    verbose_name = "Multi-agency audits"
