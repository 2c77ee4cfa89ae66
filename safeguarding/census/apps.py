from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "safeguarding.census"
    label = "census"
    verbose_name = "Children in Need census"

    def ready(self) -> None:
        from safeguarding.census import import_rules  # noqa: F401 - registers the import rule
        from safeguarding.census.importer import CIN_FORMAT
        from safeguarding.chronology.import_formats import register_format

        # Census files run through the chronology's import batches (task, heartbeat, retry, page, API).
        register_format(CIN_FORMAT)
