from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguarding.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from safeguarding.core import admin_log, navigation, permissions  # noqa: F401 - registers the rules

        navigation.register("Home", "core:home", order=0, visible=lambda user: True)
