from django.db import models


class MatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Merged"
    REJECTED = "rejected", "Kept apart"
    # One of the two records was merged into another before anyone decided: the pair is asked again
    # about the record that remains, if it still looks alike.
    SUPERSEDED = "superseded", "No longer needed"


class Band(models.TextChoices):
    """What the linkage does with a pair of records, by its match probability (docs/linking.md)."""

    LINK = "link", "Linked automatically"
    POSSIBLE = "possible", "Possible match, for a person to decide"
    NEW = "new", "A different child"
