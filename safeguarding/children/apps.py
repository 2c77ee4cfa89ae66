from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "safeguarding.children"
    label = "children"
    verbose_name = "Children and families"

    def ready(self) -> None:
        from safeguarding.children import home_panels, permissions
        from safeguarding.core import home, navigation
        from safeguarding.core.models import register_view_actions

        navigation.register("Find a child", "children:search", order=10, visible=permissions.holds_case_role)
        navigation.register("Access grants", "children:grants", order=70, visible=permissions.can_grant_access)
        navigation.register(
            "Shared information", "children:sharing", order=15, visible=permissions.is_front_door_member
        )
        register_view_actions("sharing_notice.viewed", "child.summary_viewed")

        home.register("my_children", home_panels.my_children, order=10)
        home.register("my_grants", home_panels.my_grants, order=20)
        home.register("agency_grants", home_panels.agency_grants, order=30)
        home.register("partnership_summary", home_panels.partnership_summary, order=40)
