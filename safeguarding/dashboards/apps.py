from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.dashboards"
    label = "dashboards"
    verbose_name = "Partnership dashboards and yearly report data pack"

    def ready(self) -> None:
        from safeguarding.core import home, navigation
        from safeguarding.dashboards import home_panels, permissions

        navigation.register("Dashboard", "dashboards:index", order=65, visible=permissions.can_view_dashboard_page)
        home.register("dashboard_headline", home_panels.headline_figures, order=3)
