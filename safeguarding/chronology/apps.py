from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.chronology"
    label = "chronology"
    verbose_name = "Chronology"
