from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "safeguarding.linking"
    label = "linking"
    verbose_name = "Linking child records"

    def ready(self) -> None:
        from safeguarding.core import demo, navigation
        from safeguarding.core.models import register_view_actions
        from safeguarding.linking import permissions
        from safeguarding.linking.demo import seed_linking

        navigation.register("Possible matches", "linking:queue", order=65, visible=permissions.can_steward)
        # Seeing a pair side by side shows both records' identifying details.
        register_view_actions("possible_match.viewed")
        demo.register("linking", seed_linking, order=95)
