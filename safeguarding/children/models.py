from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.enums import Ethnicity, LawfulBasis, RelationshipKind, Sex, SharingStatus, UPNUnknown
from safeguarding.children.validators import (
    validate_born,
    validate_disability_codes,
    validate_la_child_id,
    validate_nhs_number,
    validate_upn,
)
from safeguarding.core.restriction import Restrictable

_SPACES = re.compile(r"\s+")


# Unicode's format (Cf) and control (Cc) characters: zero-width spaces and joiners, left-to-right
# and right-to-left marks, embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the
# byte-order mark, the soft hyphen, control codes. Invisible, so "Ellis" and "El\u200blis" look the
# same on screen and in print but never match: they come in from copied text and other systems.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc"})


def clean_name(text: str) -> str:
    """A name as stored: invisible and bidirectional control characters removed, line breaks and
    tabs (control characters too) read as spaces, single spaces, no spaces at either end."""
    if not text:
        return text
    if not text.isprintable():  # every Cf and Cc character is non-printable: the usual name skips this
        text = "".join(
            " " if c.isspace() else c
            for c in text
            if c.isspace() or unicodedata.category(c) not in _INVISIBLE_CATEGORIES
        )
    return " ".join(text.split())


def normalise_name(*parts: str) -> str:
    """Lower case, accents and invisible characters removed, hyphens and apostrophes kept out,
    single spaces: for matching."""
    text = clean_name(" ".join(p for p in parts if p))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’`.]", "", text).replace("-", " ")
    return _SPACES.sub(" ", text).strip().lower()


class Person(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=200, blank=True, help_text="Known as, previous names.")
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_born])
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.NOT_KNOWN)
    nhs_number = models.CharField(
        max_length=10, null=True, blank=True, unique=True, validators=[validate_nhs_number], verbose_name="NHS number"
    )
    # Lower-cased, accent-free "first last" for search and cross-agency matching.
    normalised_name = models.CharField(max_length=220, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Fields whose values never go into the activity log's diffs.
    MASKED_FIELDS: tuple[str, ...] = ("first_name", "last_name", "other_names", "date_of_birth", "nhs_number")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.first_name = clean_name(self.first_name)
        self.last_name = clean_name(self.last_name)
        self.other_names = clean_name(self.other_names)
        self.normalised_name = normalise_name(self.first_name, self.last_name)
        if self.nhs_number == "":
            self.nhs_number = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"first_name", "last_name"} & set(update_fields)):  # type: ignore[call-overload]
            kwargs["update_fields"] = {*update_fields, "normalised_name"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class CurrentChildManager(models.Manager["Child"]):
    """Child records that stand on their own: a record merged into another is left out everywhere
    (lists, matching, lookups by id), so every screen shows the one record that remains."""

    def get_queryset(self) -> models.QuerySet[Child]:
        return super().get_queryset().filter(merged_into__isnull=True)


class Child(Person):
    is_verified = models.BooleanField(
        default=True, help_text="False when created from an agency's file without a confirmed match."
    )
    # Set while this record is merged into another (linking.ChildMerge holds how to undo it).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records", editable=False
    )
    # What the Children in Need census needs (docs/cin-census.md). Identifiers are unique when present.
    la_child_id = models.CharField(
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_la_child_id],
        verbose_name="LA child ID",
        help_text="The local authority's child ID (CIN census LAchildID).",
    )
    upn = models.CharField(
        max_length=13, null=True, blank=True, unique=True, validators=[validate_upn], verbose_name="UPN"
    )
    former_upn = models.CharField(max_length=13, blank=True, validators=[validate_upn], verbose_name="former UPN")
    upn_unknown = models.CharField(
        max_length=4, choices=UPNUnknown.choices, blank=True, verbose_name="reason the UPN is unknown"
    )
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    disabilities = models.JSONField(
        default=list, blank=True, validators=[validate_disability_codes], help_text='Census codes; ["NONE"] for none.'
    )
    # An unborn child has no date of birth, only an expected one.
    expected_date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True, validators=[validate_born])

    MASKED_FIELDS = (
        *Person.MASKED_FIELDS,
        "la_child_id",
        "upn",
        "former_upn",
        "expected_date_of_birth",
        "date_of_death",
    )

    # Every record, merged or not: for merging, unmerging and the activity history.
    all_records = models.Manager()
    objects = CurrentChildManager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "children"
        # Lists, lookups and form choices leave merged records out.
        default_manager_name = "objects"
        indexes = [
            # Search and cross-agency matching by name and date of birth.
            models.Index(fields=["normalised_name", "date_of_birth"], name="child_name_dob"),
            models.Index(fields=["date_of_birth"], name="child_dob"),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        for field in ("la_child_id", "upn"):
            if getattr(self, field) == "":
                setattr(self, field, None)
        if self.upn:
            self.upn = self.upn.strip().upper()
        self.former_upn = (self.former_upn or "").strip().upper()
        super().save(*args, **kwargs)

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None


class Adult(Person):
    class Meta:
        ordering = ["last_name", "first_name", "id"]


class Household(models.Model):
    reference = models.CharField(max_length=64, unique=True, help_text="The partnership's own reference.")
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    MASKED_FIELDS = ("address_line_1", "address_line_2", "town", "postcode")

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"Household {self.reference}"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="household_links")
    adult = models.ForeignKey(Adult, null=True, blank=True, on_delete=models.PROTECT, related_name="household_links")
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(child__isnull=False, adult__isnull=True) | Q(child__isnull=True, adult__isnull=False)),
                name="household_member_is_child_or_adult",
            ),
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True) | Q(moved_in__isnull=True) | Q(moved_out__gte=models.F("moved_in")),
                name="household_member_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child or self.adult} in {self.household}"

    @property
    def person(self) -> Child | Adult:
        return self.child or self.adult  # type: ignore[return-value]


class Relationship(models.Model):
    """How an adult or another child relates to a child (e.g. mother, mother's partner, sibling)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="relationships")
    adult = models.ForeignKey(Adult, null=True, blank=True, on_delete=models.PROTECT, related_name="relationships")
    other_child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="reverse_relationships"
    )
    kind = models.CharField(max_length=32, choices=RelationshipKind.choices)
    parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=False)
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(adult__isnull=False, other_child__isnull=True) | Q(adult__isnull=True, other_child__isnull=False)
                ),
                name="relationship_to_adult_or_child",
            ),
            models.CheckConstraint(condition=~Q(child=models.F("other_child")), name="relationship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of child {self.child_id}"

    @property
    def person(self) -> Child | Adult:
        return self.adult or self.other_child  # type: ignore[return-value]


class InvolvementQuerySet(models.QuerySet["Involvement"]):
    def active_on(self, day: date | None = None) -> InvolvementQuerySet:
        day = day or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class Involvement(Restrictable):
    """An agency working with a child: the root of who may see the child's record."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="involvements")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    service = models.CharField(max_length=200, blank=True, help_text="The service or reason, e.g. health visiting.")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_involvements"
    )
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices, default=LawfulBasis.PUBLIC_TASK)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="involvement_dates_in_order"
            ),
        ]
        indexes = [
            # children_visible_to(): "is this agency involved with this child today"
            models.Index(fields=["agency", "child", "end"], name="involvement_agency_child"),
            models.Index(fields=["child", "end"], name="involvement_child_end"),
            # The home page's "children you are lead professional for": the open involvements a person
            # leads, newest first, read in index order so the query stops at the page's limit.
            models.Index(
                fields=["lead_professional", "start", "id"], condition=Q(end__isnull=True), name="involvement_lead_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} with child {self.child_id} from {self.start:%d/%m/%Y}"

    def is_active_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end >= day)


class SharingNoticeQuerySet(models.QuerySet["SharingNotice"]):
    def pending(self) -> SharingNoticeQuerySet:
        return self.filter(status=SharingStatus.PENDING)


class SharingNotice(models.Model):
    """An agency shared information about a child it is not involved with (an entry from a page, its
    system or a file). Sharing in is not seeing: the child's lead professional, or the front door
    when there is none, decides whether the agency becomes involved, with the lawful basis."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="sharing_notices")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sharing_notices")
    status = models.CharField(max_length=16, choices=SharingStatus.choices, default=SharingStatus.PENDING)
    first_shared_at = models.DateTimeField(default=timezone.now)
    last_shared_at = models.DateTimeField(default=timezone.now)
    entries = models.PositiveIntegerField(default=0, help_text="Entries shared while the notice was open.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    involvement = models.ForeignKey(
        "Involvement", null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_notices"
    )
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = SharingNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-last_shared_at", "-id"]
        constraints = [
            # One open question per agency and child: later entries add to it.
            models.UniqueConstraint(
                fields=["child", "agency"], condition=Q(status="pending"), name="sharing_notice_one_pending"
            ),
        ]
        indexes = [
            # The child's record and the deciders' lists: pending notices per child.
            models.Index(fields=["child", "status"], name="sharing_notice_child_status"),
            models.Index(fields=["status", "-last_shared_at"], name="sharing_notice_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} shared about child {self.child_id} ({self.status})"


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def active(self) -> AccessGrantQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=now, expires_at__gt=now)


class AccessGrant(models.Model):
    """Time-limited access to one child's record for one person, given with a recorded reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="access_grants")
    reason = models.TextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("starts_at")), name="grant_expires_after_start"),
        ]
        indexes = [
            # children_visible_to(): "does this person hold a live grant for this child"
            models.Index(fields=["user", "child", "expires_at"], name="grant_user_child"),
        ]

    def __str__(self) -> str:
        return f"Access for {self.user} to child {self.child_id} until {self.expires_at:%d/%m/%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.expires_at
