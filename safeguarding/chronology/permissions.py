"""Who may record, correct and import chronology entries, and see import batches.

Declared once here and asked by pages, the API, commands and tasks alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from safeguarding.agencies.models import Agency
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def may_record_for_agency(user: Viewer, agency: Agency | None) -> bool:
    """A member of the agency with a case-holding role, or the agency's own API system account."""
    if agency is None or not is_active_person(user) or not agency.is_active:
        return False
    return agency.pk in user.case_agency_ids


@rules.predicate
def can_record_event(user: Viewer, agency: Agency | None) -> bool:
    return may_record_for_agency(user, agency)


@rules.predicate
def can_correct_event(user: Viewer, event: Event | None) -> bool:
    """Only the recording agency corrects its own entries, and only the current version (an entry
    entered in error is reinstated first: correcting it would make it count again unseen)."""
    if event is None or not event.is_current or event.entered_in_error_at is not None:
        return False
    return may_record_for_agency(user, event.agency)


@rules.predicate
def can_mark_entered_in_error(user: Viewer, event: Event | None) -> bool:
    """Marking an entry entered in error, or reinstating it: a case-holding member of the recording
    agency (or its API system), on the current version only."""
    if event is None or not event.is_current:
        return False
    return may_record_for_agency(user, event.agency)


def recording_agencies(user: Viewer) -> list[Agency]:
    """The agencies this person records for: their case-holding memberships."""
    if not is_active_person(user):
        return []
    agencies = {m.agency for m in user.active_memberships if m.agency_id in user.case_agency_ids}
    return sorted((a for a in agencies if may_record_for_agency(user, a)), key=lambda a: a.name)


@rules.predicate
def can_add_entries(user: Viewer) -> bool:
    """Records for at least one agency (seeing a child, e.g. through an access grant, is not working with them)."""
    return bool(recording_agencies(user))


def import_agencies(user: Viewer) -> list[Agency]:
    """Agencies this person may upload files for: case-holding memberships, people only."""
    if not is_active_person(user) or user.is_system:
        return []
    ids = user.case_agency_ids
    return sorted({m.agency for m in user.active_memberships if m.agency_id in ids}, key=lambda a: a.name)


@rules.predicate
def can_import(user: Viewer) -> bool:
    return bool(import_agencies(user))


@rules.predicate
def can_view_import_batch(user: Viewer, batch: ImportBatch | None) -> bool:
    """The uploading agency's case-holding members only: the report describes its records."""
    if batch is None or not is_active_person(user):
        return False
    return batch.agency_id in user.case_agency_ids


@rules.predicate
def can_confirm_import_types(user: Viewer, batch: ImportBatch | None) -> bool:
    """Saying what a file's near-miss labels mean: a case-holding member of the uploading agency."""
    return batch is not None and can_view_import_batch(user, batch) and may_record_for_agency(user, batch.agency)


@rules.predicate
def can_retry_import(user: Viewer, batch: ImportBatch | None) -> bool:
    """Trying a failed import again: a case-holding member of the uploading agency, as for confirming."""
    return batch is not None and can_view_import_batch(user, batch) and may_record_for_agency(user, batch.agency)


rules.add_perm("chronology.record_event", can_record_event)
rules.add_perm("chronology.retry_import", can_retry_import)
rules.add_perm("chronology.add_entries", can_add_entries)
rules.add_perm("chronology.confirm_import_types", can_confirm_import_types)
rules.add_perm("chronology.correct_event", can_correct_event)
rules.add_perm("chronology.mark_entered_in_error", can_mark_entered_in_error)
rules.add_perm("chronology.import_events", can_import)
rules.add_perm("chronology.view_import_batch", can_view_import_batch)
