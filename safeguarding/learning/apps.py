from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.learning"
    label = "learning"
    verbose_name = "Learning events and learning briefings"
