from django.db import models


class Via(models.TextChoices):
    """How an action reached the system; written on every activity-log row."""

    PAGE = "page", "Page"
    API = "api", "API"
    COMMAND = "command", "Management command"
    TASK = "task", "Background task"
    SYSTEM = "system", "System"


class Confidentiality(models.TextChoices):
    NORMAL = "normal", "Normal"
    RESTRICTED = "restricted", "Restricted"
