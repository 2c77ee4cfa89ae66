from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.plans"
    label = "plans"
    verbose_name = "Shared care plans agreed with families"

    def ready(self) -> None:
        from safeguarding.core import demo, home, navigation, sections
        from safeguarding.core.models import register_view_actions
        from safeguarding.plans import home_panels, permissions
        from safeguarding.plans import sections as plan_sections
        from safeguarding.plans.demo import seed_plans

        navigation.register("Care plans", "plans:index", order=35, visible=permissions.can_create_plan)
        home.register("plans_led", home_panels.plans_you_lead, order=15)
        sections.register("child", "plans_current", plan_sections.child_section, order=20)
        sections.register("child_summary", "plans_current", plan_sections.child_summary_section, order=20)
        sections.register("escalation", "plans_citations", plan_sections.escalation_section, order=20)
        sections.register("review", "plans_citations", plan_sections.review_section, order=20)
        demo.register("plans", seed_plans, order=60)
        register_view_actions("care_plan.viewed", "care_plan.exported")
