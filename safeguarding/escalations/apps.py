from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.escalations"
    label = "escalations"
    verbose_name = "Escalations (resolving professional differences)"

    def ready(self) -> None:
        from safeguarding.core import demo, home, navigation, sections
        from safeguarding.core.models import register_view_actions
        from safeguarding.escalations import home_panels, permissions, workflow  # noqa: F401 - registers rules
        from safeguarding.escalations import sections as escalation_sections
        from safeguarding.escalations.demo import seed_escalations

        navigation.register("Escalations", "escalations:inbox", order=30, visible=permissions.can_use_escalations)
        navigation.register("Escalation log", "escalations:log", order=75, visible=permissions.can_view_partnership_log)
        home.register("escalations_awaiting", home_panels.awaiting_you, order=5)
        home.register("escalations_partnership", home_panels.partnership, order=45)
        register_view_actions("escalation.raise_viewed")  # the raise page shows the child's entries as evidence
        sections.register("child", "escalations_child", home_panels.child_section, order=40)
        demo.register("escalations", seed_escalations, order=50)
        sections.register("child_summary", "escalations", escalation_sections.child_summary_section, order=50)
