from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from safeguarding.core.enums import HolidayChange, Via


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an activity-log row."""


class ActivityLogQuerySet(models.QuerySet["ActivityLog"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The activity log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The activity log is append-only.")

    def for_child(self, child_id: int) -> ActivityLogQuerySet:
        return self.filter(subject_child_id=child_id)

    def views(self) -> ActivityLogQuerySet:
        return self.filter(action__in=sorted(VIEW_ACTIONS))


# Actions that are reads or exports of a child's record (shown as "who looked at this record").
# Feature apps add theirs with `register_view_actions` in AppConfig.ready().
VIEW_ACTIONS: set[str] = {
    "child.viewed",
    "child.exported",
    "chronology.viewed",
    "chronology.exported",
    "chronology.entry_viewed",
    "escalation.viewed",
    "review.chronology_viewed_named",
}


def register_view_actions(*actions: str) -> None:
    """Declare activity-log actions that are views or exports of a child's record."""
    VIEW_ACTIONS.update(actions)


class ActivityLog(models.Model):
    """Append-only record of every change and every view or export of a child's record.

    Holds no free text about people: the target is a (type, id) pair and the diff masks
    personal fields. On PostgreSQL a trigger also refuses UPDATE and DELETE.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The agency the actor acted for, kept as its stable code so the row stays true after moves.
    actor_agency_code = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    # The child whose record this is about, so "who looked at this child" is one indexed query.
    subject_child_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=16, choices=Via.choices, default=Via.SYSTEM)
    request_id = models.CharField(max_length=64, blank=True)

    objects = ActivityLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "Who looked at this child's record, newest first"
            models.Index(fields=["subject_child_id", "-at"], name="activity_child_at"),
            # "What did this person do"
            models.Index(fields=["actor", "-at"], name="activity_actor_at"),
            # "History of this object"
            models.Index(fields=["target_type", "target_id", "-at"], name="activity_target_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The activity log is append-only.")


class ActivityLogSeal(models.Model):
    """One link of the activity log's hash chain (`core.chain`): the SHA-256 of the previous link's
    hash and one log row's canonical content, appended in `seq` order by the sealing step after the
    row's transaction commits. Append-only like the log (a PostgreSQL trigger refuses UPDATE, DELETE
    and TRUNCATE). `log_id` is a plain column, not a foreign key: a seal must outlive a deleted log
    row, so that the verifier can name the row that went."""

    seq = models.PositiveBigIntegerField(unique=True)  # 1, 2, 3… without gaps; unique: one link per place
    log_id = models.BigIntegerField(unique=True)  # unique: a row is sealed once (and the sealer's anti-join)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"seal {self.seq} of log row {self.log_id}"


class BankHolidayAmendment(models.Model):
    """The partnership's amendment of one day of England's bank holidays (`core.calendar`): an extra
    bank holiday (announced after the `holidays` package was released) or a package bank holiday
    cancelled (moved: cancel the old day and add the new one). Changed only by `core.bank_holidays`."""

    day = models.DateField(unique=True)  # unique: one amendment per day (also serves lookups by day)
    change = models.CharField(max_length=16, choices=HolidayChange.choices)
    name = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(change="added") | ~models.Q(name=""), name="bank_holiday_added_has_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_change_display()}"

    @property
    def holiday_name(self) -> str | None:
        """The day's bank holiday name when added, None when cancelled (as `WorkingCalendar` reads it)."""
        return self.name if self.change == HolidayChange.ADDED else None
