"""Vocabulary of learning events and learning briefings (domain.md §8)."""

from django.db import models


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", "Practice workshop"
    BRIEFING = "briefing", "Learning briefing session"
    CONFERENCE = "conference", "Conference"
    GROUP_SUPERVISION = "group_supervision", "Group supervision"
    JOINT_SUPERVISION = "joint_supervision", "Joint supervision"


class EventStatus(models.TextChoices):
    """Draft events are seen by the business unit only; published ones by the people invited."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class RegistrationStatus(models.TextChoices):
    """A live registration either holds a place or waits for one (cancelled ones carry `cancelled_at`)."""

    PLACE = "place", "Has a place"
    WAITING = "waiting", "On the waiting list"


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


class Confidence(models.IntegerChoices):
    """How confident the practitioner feels about the event's theme (evaluation, before and after)."""

    VERY_LOW = 1, "1 – Not at all confident"
    LOW = 2, "2 – A little confident"
    MEDIUM = 3, "3 – Fairly confident"
    HIGH = 4, "4 – Confident"
    VERY_HIGH = 5, "5 – Very confident"


class PracticeChanged(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class BriefingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


ANY_ROLE = ""
