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


class HolidayChange(models.TextChoices):
    """How the partnership's list amends the `holidays` package's England bank holidays."""

    ADDED = "added", "Extra bank holiday"
    CANCELLED = "cancelled", "Bank holiday cancelled (a working day)"
