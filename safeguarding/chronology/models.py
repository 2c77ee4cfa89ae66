"""Chronology entries (events), their vocabulary, and the files agencies import them from.

Sized for tens of millions of events per partnership: every index below names the query it
serves. Corrections are new versions of an event (same `lineage`), never edits in place, and
nothing here is deleted by users (`on_delete=PROTECT` throughout).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.chronology.enums import FINISHED_STATUSES, EventSource, ImportStatus, Precision
from safeguarding.core.restriction import Restrictable


def encode_tags(tags: Iterable[str]) -> str:
    """Stored as ",tag,tag," so one tag is found with a plain LIKE on SQLite and PostgreSQL."""
    cleaned = sorted({t.strip().lower() for t in tags if t and t.strip()})
    return f",{','.join(cleaned)}," if cleaned else ""


def decode_tags(value: str) -> list[str]:
    return [t for t in (value or "").split(",") if t]


def tag_q(tag: str, prefix: str = "") -> Q:
    """Rows whose event type carries `tag` (prefix e.g. "event_type__")."""
    return Q(**{f"{prefix}tags__contains": f",{tag.strip().lower()},"})


class EventTypeQuerySet(models.QuerySet["EventType"]):
    def active(self) -> EventTypeQuerySet:
        return self.filter(is_active=True)

    def tagged(self, tag: str) -> EventTypeQuerySet:
        return self.filter(tag_q(tag))


class EventType(models.Model):
    """One term of the partnership's event vocabulary (data, extendable without code)."""

    OTHER = "other"

    code = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    tags = models.CharField(max_length=300, blank=True, default="", help_text='Stored as ",tag,tag,".')
    # Lower-case names other systems use for this type; file imports match on them.
    synonyms = models.JSONField(default=list, blank=True)
    # e.g. a school attendance figure (a percentage)
    takes_value = models.BooleanField(default=False)
    value_label = models.CharField(max_length=100, blank=True, help_text="e.g. Attendance (%)")
    # [{"code": "neglect", "label": "Neglect"}, ...]: the category an entry of this type may carry.
    categories = models.JSONField(default=list, blank=True)
    # {"nfa": ["nfa", "no further action"]}: import labels that mean this type with that category.
    category_synonyms = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventTypeQuerySet.as_manager()

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def tag_list(self) -> list[str]:
        return decode_tags(self.tags)

    @property
    def category_codes(self) -> list[str]:
        return [c["code"] for c in self.categories]

    def category_label(self, code: str) -> str:
        # A code the vocabulary no longer lists still reads as words, never as "child_protection".
        fallback = code.replace("_", " ").strip().capitalize()
        return next((c["label"] for c in self.categories if c["code"] == code), fallback)


class ImportBatch(models.Model):
    """One file an agency imported (or tried to): its content, progress and report."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="import_batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    # The kind of file: "table" (CSV or XLSX, read by `importer.import_table`) or a format another app
    # registers (`import_formats`), e.g. "cin" for the Children in Need census XML (`census.importer`).
    file_format = models.CharField(max_length=16, default="table")
    sha256 = models.CharField(max_length=64)
    # The uploaded bytes, so any worker can run the import: no local files hold state.
    content = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    dry_run = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # While the checked rows are saved (one transaction): how many of how many, written by the import's
    # heartbeat from its own connection (`recovery.Heartbeat`) for the progress bar on the batch's page.
    rows_saved = models.PositiveIntegerField(default=0)
    rows_to_save = models.PositiveIntegerField(default=0)
    events_created = models.PositiveIntegerField(default=0)
    events_already_present = models.PositiveIntegerField(default=0)
    # What the uploading agency is told about children, nothing more: how many it works with, and how
    # many it shared about without being involved (never whether a child already had a record).
    children_involved = models.PositiveIntegerField(default=0)
    children_shared = models.PositiveIntegerField(default=0)
    mapped_to_other = models.PositiveIntegerField(default=0)
    # [{"row": 12, "column": "Date", "reason": "..."}]
    errors = models.JSONField(default=list, blank=True)
    # What the uploader should know that did not stop the import (the census validator's queries):
    # [{"row": 0, "column": "...", "reason": "...", ...}], shown beside the result.
    warnings = models.JSONField(default=list, blank=True)
    # Labels close to a known event type: [{"label": "Was not brough", "nearest": "was_not_brought",
    # "nearest_label": "Was not brought", "rows": 3}], listed in the dry run and the result.
    type_suggestions = models.JSONField(default=list, blank=True)
    # What the uploader confirmed each such label means: {"Was not brough": "was_not_brought" | "other"}.
    type_mapping = models.JSONField(default=dict, blank=True)
    # How this upload's reference columns are read, over the agency's own setting: {"Tenancy ref": "household"}.
    reference_columns = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds by the process running the import, outside the import's transaction
    # (`chronology.recovery.Heartbeat`): a running batch whose heartbeat is old has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Counts the changes people and operators make (retry, confirm types), so a retry from a stale
    # page is refused (409) rather than queued twice.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "This agency's imports, newest first"
            models.Index(fields=["agency", "-created_at"], name="import_batch_agency_created"),
            # "Running batches whose heartbeat is old" (recover_imports, every few minutes)
            models.Index(
                fields=["heartbeat_at"], name="import_batch_running_heartbeat", condition=models.Q(status="running")
            ),
        ]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def saving_percent(self) -> int:
        return min(100, round(100 * self.rows_saved / self.rows_to_save)) if self.rows_to_save else 0

    @property
    def is_finished(self) -> bool:
        # Waiting for the uploader to confirm event types is finished too: the page stops refreshing.
        return self.status in FINISHED_STATUSES


@lru_cache(maxsize=4096)
def format_event_date(day: date, precision: str, approximate: bool) -> str:
    """An entry's date as people write it, to its precision ("March 2016", "around 4 May 2019").

    Cached: a long chronology shows the same few hundred dates thousands of times.
    """
    if precision == Precision.YEAR:
        text = f"{day:%Y}"
    elif precision == Precision.MONTH:
        text = f"{day:%B %Y}"
    else:
        text = f"{day.day} {day:%B %Y}"
    return f"around {text}" if approximate else text


class EventQuerySet(models.QuerySet["Event"]):
    def current(self) -> EventQuerySet:
        return self.filter(is_current=True)

    def tagged(self, tag: str) -> EventQuerySet:
        return self.filter(tag_q(tag, "event_type__"))

    def not_in_error(self) -> EventQuerySet:
        return self.filter(entered_in_error_at__isnull=True)


class Event(Restrictable):
    """A chronology entry: one significant event, recorded by one agency, about one or more children.

    A correction is a new row with the same `lineage`, `version + 1` and `supersedes` pointing
    at the row it replaces, which stops being current; readers normally want `.current()`.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="events")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    # What the agency called it (kept when the type was mapped, e.g. to "other").
    original_type_label = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=64, blank=True)
    value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    # Month precision is stored as the 1st of the month, year precision as 1 January.
    occurred_on = models.DateField()
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.DAY)
    approximate = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField()
    impact = models.TextField(blank=True)
    action_taken = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=EventSource.choices, default=EventSource.PAGE)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # The agency's own id for this entry: a repeated post or import with it adds nothing.
    agency_reference = models.CharField(max_length=100, blank=True)
    # A household, tenancy, family or incident reference the agency's file gave for the entry: kept
    # for the record and for reviewers, never used to decide which child the entry is about.
    household_reference = models.CharField(max_length=100, blank=True)
    # For imported rows without a reference: sha256 of agency, child key, date, type and summary.
    content_key = models.CharField(max_length=64, blank=True)
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    # Entered in error (issue 17): kept and shown struck through with the reason, but left out of the
    # highlights and of the concern rules. Set and cleared only by `services.mark_entered_in_error`
    # and `services.reinstate_event`, which log both.
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)

    objects = EventQuerySet.as_manager()

    # Free text about people never goes into the activity log's diffs.
    MASKED_FIELDS = ("summary", "impact", "action_taken", "entered_in_error_reason")

    class Meta:
        ordering = ["occurred_on", "id"]
        constraints = [
            # Idempotent API posts and imports: one current entry per agency reference.
            models.UniqueConstraint(
                fields=["agency", "agency_reference"],
                condition=Q(is_current=True) & ~Q(agency_reference=""),
                name="event_current_agency_reference_unique",
            ),
            # Idempotent imports of files without a reference column.
            models.UniqueConstraint(
                fields=["agency", "content_key"],
                condition=Q(is_current=True) & ~Q(content_key=""),
                name="event_current_content_key_unique",
            ),
            # Versions: each number once per lineage, and exactly one current version.
            models.UniqueConstraint(fields=["lineage", "version"], name="event_lineage_version_unique"),
            models.UniqueConstraint(fields=["lineage"], condition=Q(is_current=True), name="event_one_current_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="event_version_positive"),
        ]
        indexes = [
            # An agency's own current entries in date order (its exports and the API feed).
            models.Index(
                fields=["agency", "occurred_on"], condition=Q(is_current=True), name="event_agency_current_date"
            ),
            # Partnership-wide scans by type over time (rules, dashboards).
            models.Index(fields=["event_type", "occurred_on"], name="event_type_date"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%d/%m/%Y} {self.event_type_id} ({self.agency_id})"

    @property
    def display_date(self) -> str:
        return format_event_date(self.occurred_on, self.precision, self.approximate)

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None


class EventChild(models.Model):
    """Which children an entry concerns.

    `occurred_on`, `agency` and `is_current` are copied from the event so that "this child's
    current entries in date order" is one range scan of `eventchild_child_current_date`, joined to
    events by primary key (see `queries.events_for_child`). The first two never change on an event
    row (a correction is a new row); `correct_event` retires both `is_current` flags together.
    """

    # No separate index: the (event, child) unique constraint leads with the event.
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="child_links", db_index=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="event_links")
    occurred_on = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            # Also serves "the children of these events" (event first).
            models.UniqueConstraint(fields=["event", "child"], name="eventchild_unique"),
        ]
        indexes = [
            # The integrated chronology: a child's current entries in date order — one range scan
            # when the query orders by this table's `occurred_on` (see queries.events_for_child).
            # Partial, so superseded versions cost nothing here; the FK index on `child` serves
            # the PROTECT check.
            models.Index(
                fields=["child", "occurred_on", "event"],
                condition=Q(is_current=True),
                name="eventchild_child_current_date",
            ),
            # Gap and highlight rules per agency for a child ("when did this agency last see them").
            models.Index(
                fields=["child", "agency", "occurred_on"],
                condition=Q(is_current=True),
                name="eventchild_child_agency_date",
            ),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} – child {self.child_id}"


class ChildAgencyReference(models.Model):
    """An agency's own identifier for a child (UPN, LA ID, crime reference system id…).

    Learnt from imports; later imports match children by it when there is no NHS number.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="child_references")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="agency_references")
    reference = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also serves the import's lookup "which child has this reference in this agency".
            models.UniqueConstraint(fields=["agency", "reference"], name="child_agency_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.reference} → child {self.child_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.reference = self.reference.strip()
        super().save(*args, **kwargs)
