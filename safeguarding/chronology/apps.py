from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.chronology"
    label = "chronology"
    verbose_name = "Chronology"

    def ready(self) -> None:
        from safeguarding.chronology import demo as chronology_demo
        from safeguarding.chronology import home_panels, permissions
        from safeguarding.core import demo, home, navigation

        demo.register("chronology", chronology_demo.seed_chronologies, order=20)
        # Imports (issue 17: the upload page was linked from nowhere): a menu entry and a home-page panel
        # for the people who may import.
        navigation.register("Imports", "chronology:import-list", order=60, visible=permissions.can_import)
        home.register("chronology_imports", home_panels.imports, order=60)
