from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.assessments"
    label = "assessments"
    verbose_name = "Structured assessments (templates; neglect profile)"

    def ready(self) -> None:
        from safeguarding.assessments import home_panels, permissions, sections
        from safeguarding.assessments.demo import seed_assessments
        from safeguarding.core import demo, home, navigation
        from safeguarding.core import sections as core_sections
        from safeguarding.core.models import register_view_actions

        navigation.register("Assessments", "assessments:index", order=40, visible=permissions.can_see_navigation)
        home.register("assessment_drafts", home_panels.my_drafts, order=30)
        core_sections.register("child", "assessments_latest", sections.child_section, order=30)
        core_sections.register("child_summary", "assessments_latest", sections.child_summary_section, order=40)
        core_sections.register("escalation", "assessments_cited", sections.escalation_section, order=30)
        core_sections.register("review", "assessments_cited", sections.review_section, order=30)
        demo.register("assessments", seed_assessments, order=60)
        register_view_actions("assessment.viewed", "assessment.compared")
