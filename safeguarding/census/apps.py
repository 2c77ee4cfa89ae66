from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "safeguarding.census"
    label = "census"
    verbose_name = "Children in Need census"
