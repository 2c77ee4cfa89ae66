from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "safeguarding.agencies"
    label = "agencies"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        from safeguarding.agencies import permissions
        from safeguarding.core import navigation

        navigation.register("Partnership", "agencies:list", order=80, visible=permissions.can_view_partnership)
