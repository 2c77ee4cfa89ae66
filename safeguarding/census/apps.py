from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "safeguarding.census"
    label = "census"
    verbose_name = "Children in Need census"

    def ready(self) -> None:
        from safeguarding.census import (
            import_rules,  # noqa: F401 - registers the import rule
            permissions,
        )
        from safeguarding.census.demo import seed_census
        from safeguarding.census.importer import CIN_FORMAT
        from safeguarding.census.services import EXPORTED
        from safeguarding.chronology.import_formats import register_format
        from safeguarding.core import demo, navigation
        from safeguarding.core.models import register_view_actions

        navigation.register("CIN census", "census:export", order=66, visible=permissions.can_export_census)
        # The census file holds each child's identifiers and social care history.
        register_view_actions(EXPORTED)
        # Census files run through the chronology's import batches (task, heartbeat, retry, page, API).
        register_format(CIN_FORMAT)

        # After every other step: it completes what they made (children, referrals, assessments, plans).
        demo.register("census", seed_census, order=99)
