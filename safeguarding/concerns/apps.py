from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.concerns"
    label = "concerns"
    verbose_name = "Cumulative-concern rules and alerts"

    def ready(self) -> None:
        from safeguarding.chronology.signals import events_changed
        from safeguarding.concerns import home_panels, permissions, workflow  # noqa: F401 - registers rules
        from safeguarding.concerns.demo import seed_concerns
        from safeguarding.concerns.tasks import on_events_changed
        from safeguarding.core import demo, home, navigation, sections
        from safeguarding.core.action_labels import register_action_labels
        from safeguarding.core.models import register_view_actions

        events_changed.connect(on_events_changed, dispatch_uid="concerns.evaluate_children")
        navigation.register("Alerts", "concerns:list", order=35, visible=permissions.can_use_alerts)
        navigation.register("Concern rules", "concerns:rules", order=80, visible=permissions.can_view_quality)
        home.register("concerns_alerts", home_panels.new_alerts, order=8)
        sections.register("child", "concerns_alerts", home_panels.child_section, order=30)
        sections.register("child_summary", "concerns_alerts", home_panels.child_summary_section, order=30)
        demo.register("concerns", seed_concerns, order=90)
        register_view_actions("alert.viewed")
        register_action_labels(
            {
                "alert.raised": "Alert raised",
                "alert.evidence_added": "Evidence added to the alert",
                "alert.acknowledged": "Alert acknowledged",
                "alert.decided": "Decision recorded",
                "alert.closed": "Alert closed",
                "alert.viewed": "Alert viewed",
            }
        )
