from django.db import models


class Precision(models.TextChoices):
    """How precisely the date of an event is known (domain.md §3)."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class EventSource(models.TextChoices):
    """How an entry reached the chronology."""

    PAGE = "page", "Page"
    API = "api", "API"
    IMPORT = "import", "File import"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    # Checked, nothing saved: some event types are close to a known type and the uploader confirms
    # what each means before the file is imported.
    NEEDS_CONFIRMATION = "confirm", "Waiting for you to confirm event types"


FINISHED_STATUSES = frozenset(
    {ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED, ImportStatus.NEEDS_CONFIRMATION}
)
