"""State changes for chronology entries. Pages, the API, file imports and commands all call these
(the importer has a bulk path with the same rules). Each takes a keyword-only `actor`, checks the
rule, writes and logs the activity — one row per child concerned, so each child's record history
shows it — in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children import sharing
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology import birth, permissions
from safeguarding.chronology.enums import EventSource, Precision
from safeguarding.chronology.models import Event, EventChild, EventType
from safeguarding.chronology.signals import send_events_changed
from safeguarding.core import kernel
from safeguarding.core.enums import Confidentiality
from safeguarding.core.restriction import encode_roles
from safeguarding.core.services import created_diff, diff, record_activity, snapshot

if TYPE_CHECKING:
    from safeguarding.core.types import Person

EVENT_FIELDS = (
    "agency",
    "author",
    "event_type",
    "original_type_label",
    "category",
    "value",
    "occurred_on",
    "precision",
    "approximate",
    "summary",
    "impact",
    "action_taken",
    "source",
    "import_batch",
    "source_row",
    "agency_reference",
    "household_reference",
    "confidentiality",
    "restricted_to_roles",
    "version",
)
# What a correction may change; the agency, source and reference stay with the lineage.
CORRECTABLE_FIELDS = frozenset(
    {
        "event_type",
        "original_type_label",
        "category",
        "value",
        "occurred_on",
        "precision",
        "approximate",
        "summary",
        "impact",
        "action_taken",
        "confidentiality",
        "restricted_to_roles",
    }
)
# What a correction's new version starts from: the current version's values (and its lineage).
CARRIED_FIELDS = (
    "agency_id",
    "event_type_id",
    "original_type_label",
    "category",
    "value",
    "occurred_on",
    "precision",
    "approximate",
    "summary",
    "impact",
    "action_taken",
    "source",
    "import_batch_id",
    "source_row",
    "agency_reference",
    "household_reference",
    "content_key",
    "confidentiality",
    "restricted_to_roles",
    "lineage",
)
# A correction made from a version someone else has corrected since (the page asserts this wording).
STALE_CORRECTION = (
    "Someone else corrected this entry after you opened it, so your correction was not saved. "
    "Open the latest version, check their change, and make your correction again."
)


class DuplicateReferenceError(ValidationError):
    """The agency already holds a current entry with this reference (a repeated post or import)."""

    def __init__(self, existing: Event) -> None:
        super().__init__(
            {
                "agency_reference": (
                    f"Your agency already recorded an entry with the reference {existing.agency_reference}. "
                    "To change it, correct that entry instead."
                )
            },
            code="duplicate_reference",
        )
        self.existing = existing


def date_for_precision(day: dt.date, precision: str) -> dt.date:
    """Month precision is stored as the 1st of the month, year precision as 1 January."""
    if precision == Precision.MONTH:
        return day.replace(day=1)
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    return day


def check_event_fields(
    *,
    event_type: EventType,
    category: str,
    value: Decimal | None,
    occurred_on: dt.date,
    precision: str,
    summary: str,
) -> dict[str, str]:
    """Field errors for an entry (empty when it is valid). Shared by pages, API and imports."""
    errors: dict[str, str] = {}
    if not event_type.is_active:
        errors["event_type"] = "This event type is no longer used. Choose another type."
    if category and category not in event_type.category_codes:
        if event_type.categories:
            allowed = ", ".join(c["label"] for c in event_type.categories)
            errors["category"] = f"Choose a category for {event_type.label} from: {allowed}."
        else:
            errors["category"] = f"{event_type.label} has no categories. Leave the category blank."
    if value is not None and not event_type.takes_value:
        errors["value"] = f"{event_type.label} takes no value. Leave the value blank or choose another type."
    if precision not in Precision.values:
        errors["precision"] = "Choose whether the date is exact to the day, the month or the year."
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the event must be today or in the past."
    if not (summary or "").strip():
        errors["summary"] = "Enter a factual summary of what happened."
    return errors


def _check_children(actor: Person, agency: Agency, children: Sequence[Child], shared_in: bool) -> list[Child]:
    unique = list({c.pk: c for c in children}.values())
    if not unique:
        raise ValidationError({"children": "Choose at least one child the entry is about."})
    if shared_in:
        return unique
    visible = set(children_visible_to(actor).filter(pk__in=[c.pk for c in unique]).values_list("pk", flat=True))
    if len(visible) != len(unique):
        # The same answer whether the child does not exist or is not visible.
        raise ValidationError({"children": "You cannot add entries for one of these children. Check the child."})
    return unique


def _link_children(event: Event, children: Iterable[Child]) -> None:
    EventChild.objects.bulk_create(
        [
            EventChild(
                event=event,
                child=child,
                occurred_on=event.occurred_on,
                agency_id=event.agency_id,
                is_current=event.is_current,
            )
            for child in children
        ]
    )


@kernel.service
def record_event(
    *,
    actor: Person,
    agency: Agency,
    children: Sequence[Child],
    event_type: EventType,
    occurred_on: dt.date,
    summary: str,
    precision: str = Precision.DAY,
    approximate: bool = False,
    impact: str = "",
    action_taken: str = "",
    category: str = "",
    value: Decimal | None = None,
    original_type_label: str = "",
    agency_reference: str = "",
    household_reference: str = "",
    source: str = EventSource.PAGE,
    confidentiality: str = Confidentiality.NORMAL,
    restricted_to_roles: Sequence[str] = (),
    shared_in: bool = False,
    import_batch: Any = None,
    source_row: int | None = None,
) -> Event:
    """Add an entry to the chronology of one or more children.

    `shared_in` is for an agency's own records arriving from its systems (imports, the API): the
    children need not be visible to it. Sharing in is not seeing: recording gives the agency no
    involvement; for each child it is not involved with, the child's lead professional (or the front
    door) is told and decides (`children.sharing`).
    """
    if not permissions.may_record_for_agency(actor, agency):
        raise PermissionDenied("You can only record entries for an agency you work in.")
    errors = check_event_fields(
        event_type=event_type,
        category=category,
        value=value,
        occurred_on=occurred_on,
        precision=precision,
        summary=summary,
    )
    if errors:
        raise ValidationError(errors)
    unique_children = _check_children(actor, agency, children, shared_in)
    _refuse_before_birth(actor, unique_children, occurred_on, precision, checked_visible=not shared_in)
    agency_reference = (agency_reference or "").strip()
    if agency_reference:
        _refuse_duplicate_reference(agency, agency_reference)
    event = Event(
        agency=agency,
        author=_author(actor),
        event_type=event_type,
        original_type_label=original_type_label or "",
        category=category,
        value=value,
        occurred_on=date_for_precision(occurred_on, precision),
        precision=precision,
        approximate=approximate,
        summary=summary.strip(),
        impact=impact.strip(),
        action_taken=action_taken.strip(),
        source=source,
        import_batch=import_batch,
        source_row=source_row,
        agency_reference=agency_reference,
        household_reference=(household_reference or "").strip(),
        confidentiality=confidentiality,
        restricted_to_roles=encode_roles(restricted_to_roles) if confidentiality == Confidentiality.RESTRICTED else "",
    )
    _save_new_event(event)
    _link_children(event, unique_children)
    changes = created_diff(event, EVENT_FIELDS, Event.MASKED_FIELDS)
    for child in unique_children:
        record_activity(actor=actor, action="event.recorded", target=event, child_id=child.pk, changes=changes)
    if shared_in:
        sharing.note_information_shared(actor=actor, agency=agency, entries={c.pk: 1 for c in unique_children})
    send_events_changed(Event, [c.pk for c in unique_children])
    return event


def _refuse_before_birth(
    actor: Person, children: Sequence[Child], occurred_on: dt.date, precision: str, *, checked_visible: bool
) -> None:
    """An entry about a time before a child was born is refused, naming the date of birth; only for
    the children `actor` may see, so the answer never tells an agency anything about a record it does
    not see (an import row or a posted entry is checked against the date of birth it gives)."""
    seen = list(children)
    if not checked_visible:
        visible = set(children_visible_to(actor).filter(pk__in=[c.pk for c in seen]).values_list("pk", flat=True))
        seen = [c for c in seen if c.pk in visible]
    message = birth.before_birth_of(seen, occurred_on, precision)
    if message:
        raise ValidationError({"occurred_on": message})


def _author(actor: Person) -> Person | None:
    """The person who wrote an entry (an agency system's account is no author)."""
    return actor if not getattr(actor, "is_system", False) else None


def _refuse_duplicate_reference(agency: Agency, agency_reference: str) -> None:
    existing = Event.objects.current().filter(agency=agency, agency_reference=agency_reference).first()
    if existing is not None:
        raise DuplicateReferenceError(existing)


def _save_new_event(event: Event) -> None:
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        # Another request recorded the same reference a moment ago.
        if event.agency_reference:
            _refuse_duplicate_reference(event.agency, event.agency_reference)
        raise


@kernel.service
def correct_event(
    *, actor: Person, event: Event, children: Sequence[Child] | None = None, version: int | None = None, **changes: Any
) -> Event:
    """Correct an entry: a new version replaces it; the old version is kept, no longer current.

    With `version` (the version the page showed), a correction of an entry someone else corrected
    since is refused as stale (`kernel.StaleVersion`)."""
    unknown = set(changes) - CORRECTABLE_FIELDS
    if unknown:
        raise ValueError(f"These fields cannot be corrected: {', '.join(sorted(unknown))}")
    current = kernel.lock(Event.objects.select_related("agency", "event_type"), event.pk)
    if version is not None and (not current.is_current or current.version != version):
        raise kernel.StaleVersion(STALE_CORRECTION)
    if not current.is_current:
        raise ValidationError("This entry has already been corrected. Open its latest version and correct that.")
    if not permissions.can_correct_event(actor, current):
        raise PermissionDenied("Only the agency that recorded an entry can correct it.")
    old_children = list(Child.objects.filter(event_links__event=current).order_by("pk"))
    new_children = old_children if children is None else _check_children(actor, current.agency, children, False)
    if "restricted_to_roles" in changes:
        changes["restricted_to_roles"] = encode_roles(changes["restricted_to_roles"])
    new = Event(**{name: getattr(current, name) for name in CARRIED_FIELDS})
    for name, value in changes.items():
        setattr(new, name, value)
    if new.confidentiality != Confidentiality.RESTRICTED:
        new.restricted_to_roles = ""
    errors = check_event_fields(
        event_type=new.event_type,
        category=new.category,
        value=new.value,
        occurred_on=new.occurred_on,
        precision=new.precision,
        summary=new.summary,
    )
    if errors:
        raise ValidationError(errors)
    # A date of an entry made before a date of birth was recorded stays as it is until it is corrected.
    added = [c for c in new_children if c.pk not in {o.pk for o in old_children}]
    redated = new.occurred_on != current.occurred_on or new.precision != current.precision
    _refuse_before_birth(
        actor, new_children if redated else added, new.occurred_on, new.precision, checked_visible=False
    )
    new.occurred_on = date_for_precision(new.occurred_on, new.precision)
    compared = tuple(f for f in EVENT_FIELDS if f not in ("author", "version"))
    before, after = snapshot(current, compared), snapshot(new, compared)
    if before == after and {c.pk for c in new_children} == {c.pk for c in old_children}:
        raise ValidationError("Nothing has changed. Change the entry, or go back without saving.")
    new.author = _author(actor)
    new.version = current.version + 1
    new.supersedes = current
    new.recorded_at = timezone.now()
    # Retire the old version first: the partial unique constraints allow one current row.
    current.is_current = False
    current.save(update_fields=["is_current"])
    EventChild.objects.filter(event=current).update(is_current=False)
    new.save()
    _link_children(new, new_children)
    delta = diff(before, after, Event.MASKED_FIELDS)
    delta["version"] = [current.version, new.version]
    removed = {c.pk for c in old_children} - {c.pk for c in new_children}
    if removed or len(new_children) != len(old_children):
        delta["children"] = [sorted(c.pk for c in old_children), sorted(c.pk for c in new_children)]
    for child_id in sorted({c.pk for c in old_children} | {c.pk for c in new_children}):
        record_activity(actor=actor, action="event.corrected", target=new, child_id=child_id, changes=delta)
    send_events_changed(Event, [c.pk for c in old_children] + [c.pk for c in new_children])
    return new
