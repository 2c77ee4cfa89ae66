from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.actionplans"
    label = "actionplans"
    verbose_name = "Action plans (from reviews, audits, inspections, priorities)"

    def ready(self) -> None:
        from safeguarding.actionplans import home_panels, permissions, sections
        from safeguarding.actionplans.demo import seed_actionplans
        from safeguarding.core import demo, home, navigation
        from safeguarding.core import sections as core_sections

        navigation.register("Action plans", "actionplans:index", order=62, visible=permissions.can_use_actionplans)
        home.register("actionplans_yours", home_panels.your_actions, order=8)
        home.register("actionplans_overdue", home_panels.overdue_across_plans, order=47)
        core_sections.register("review", "actionplan", sections.review_section, order=50)
        demo.register("actionplans", seed_actionplans, order=55)
