from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.plans"
    label = "plans"
    verbose_name = "Shared care plans agreed with families"
