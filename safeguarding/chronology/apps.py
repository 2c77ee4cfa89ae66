from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.chronology"
    label = "chronology"
    verbose_name = "Chronology"

    def ready(self) -> None:
        from safeguarding.chronology import demo as chronology_demo
        from safeguarding.core import demo

        demo.register("chronology", chronology_demo.seed_chronologies, order=20)
