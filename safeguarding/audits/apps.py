from django.apps import AppConfig


class AuditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.audits"
    label = "audits"
    verbose_name = "Multi-agency audits"

    def ready(self) -> None:
        from safeguarding.audits import home_panels, workflow
        from safeguarding.audits.demo import seed_audits
        from safeguarding.core import demo, home, navigation
        from safeguarding.core.models import register_view_actions

        navigation.register("Audits", "audits:index", order=68, visible=workflow.can_use_audits)
        demo.register("audits", seed_audits, order=60)
        register_view_actions("audit.case_viewed", "audit.sample_viewed")
        home.register("my_audits", home_panels.my_audits, order=40)
