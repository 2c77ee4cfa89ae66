from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "safeguarding.linking"
    label = "linking"
    verbose_name = "Linking child records"
