"""Linking child records across agencies: the trained model, possible matches waiting for a data
steward, and merges (each one reversible: `moved` records every row it changed)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.linking.enums import MatchStatus


class LinkageModelQuerySet(models.QuerySet["LinkageModel"]):
    def latest_version(self) -> LinkageModel | None:
        return self.order_by("-version").first()


class LinkageModel(models.Model):
    """One trained version of the probabilistic linkage model (Splink's JSON, m and u per level)."""

    version = models.PositiveIntegerField(unique=True)
    parameters = models.JSONField(help_text="Splink's model JSON, trained on the Hub's own records.")
    trained_at = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    records = models.PositiveIntegerField(default=0, help_text="How many child records it was trained on.")
    notes = models.TextField(blank=True)

    objects = LinkageModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Linkage model v{self.version}"


class PossibleMatchQuerySet(models.QuerySet["PossibleMatch"]):
    def pending(self) -> PossibleMatchQuerySet:
        return self.filter(status=MatchStatus.PENDING)


class PossibleMatch(models.Model):
    """Two child records the linkage thinks may be one child, for a data steward to decide.

    Stored with the lower id first, once per pair: a rejected pair is remembered, never suggested again.
    """

    child_a = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    child_b = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(help_text="Match probability, 0 to 1.")
    # Which identifying fields agreed, and how: {"first_name": "nickname", "date_of_birth": "day and month swapped"}.
    reasons = models.JSONField(default=dict, blank=True)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    found_by = models.CharField(max_length=64, blank=True, help_text='e.g. "import 12", "api", "scan".')
    status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = PossibleMatchQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="possible_match_once_per_pair"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="possible_match_lower_id_first"),
        ]
        indexes = [
            # The queue: pending pairs, most likely first.
            models.Index(fields=["status", "-score"], name="possible_match_status_score"),
            # "Pairs involving this child" (merges supersede them); child_a is led by the unique constraint.
            models.Index(fields=["child_b"], name="possible_match_child_b"),
        ]

    def __str__(self) -> str:
        return f"Possible match {self.child_a_id} ~ {self.child_b_id} ({self.score:.2f})"

    @property
    def child_ids(self) -> list[int]:
        return [self.child_a_id, self.child_b_id]


class ChildMergeQuerySet(models.QuerySet["ChildMerge"]):
    def in_force(self) -> ChildMergeQuerySet:
        return self.filter(unmerged_at__isnull=True)


class ChildMerge(models.Model):
    """One child record merged into another. `moved` lists every row the merge changed, so an
    unmerge puts each back exactly: {"app.Model": {"field": [pk, …]}} for rows repointed, and
    `removed` the full rows that would have been duplicates (re-created on unmerge)."""

    kept = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_merged")
    possible_match = models.ForeignKey(
        PossibleMatch, null=True, blank=True, on_delete=models.PROTECT, related_name="merges"
    )
    moved = models.JSONField(default=dict)
    removed = models.JSONField(default=list)
    # Both records' identifying fields before the merge (restored on unmerge).
    kept_before = models.JSONField(default=dict)
    merged_before = models.JSONField(default=dict)
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True)

    objects = ChildMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            # A record is merged away at most once at a time.
            models.UniqueConstraint(
                fields=["merged"], condition=Q(unmerged_at__isnull=True), name="child_merge_once_in_force"
            ),
            models.CheckConstraint(condition=~Q(kept=F("merged")), name="child_merge_not_self"),
        ]

    def __str__(self) -> str:
        return f"Child {self.merged_id} merged into {self.kept_id}"

    def moved_count(self) -> int:
        rows: Any = self.moved
        return sum(len(pks) for fields in rows.values() for pks in fields.values()) + len(self.removed)
