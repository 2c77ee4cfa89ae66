from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.concerns"
    label = "concerns"
    verbose_name = "Cumulative-concern rules and alerts"
