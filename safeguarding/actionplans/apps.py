from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.actionplans"
    label = "actionplans"
    verbose_name = "Action plans (from reviews, audits, inspections, priorities)"
