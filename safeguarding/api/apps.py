from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safeguarding.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from safeguarding.api import permissions, schema  # noqa: F401 - registers rules and OpenAPI extensions
        from safeguarding.core import navigation

        navigation.register("API tokens", "api:tokens", order=90, visible=permissions.can_manage_api_tokens)
