from django.apps import AppConfig


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.publishing"
    label = "publishing"
    verbose_name = "Publishing (committee reports, PDF and DOCX rendering)"

    def ready(self) -> None:
        from safeguarding.core import demo, navigation, sections
        from safeguarding.publishing import permissions
        from safeguarding.publishing.demo import seed_committee_report
        from safeguarding.publishing.sections import review_section

        navigation.register("Committee reports", "publishing:index", order=77, visible=permissions.can_read_reports)
        sections.register("review", "committee_report", review_section, order=70)
        demo.register("committee_report", seed_committee_report, order=75)
