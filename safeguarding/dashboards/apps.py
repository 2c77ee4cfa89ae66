from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.dashboards"
    label = "dashboards"
    verbose_name = "Partnership dashboards and yearly report data pack"
