"""Writing a checked census file in one transaction (`census.importer` checks it first).

New children, census fields a matched record lacks, the agency's involvements, the chronology entries
(through the chronology's bulk import path, `chronology.import_writer.write_rows`, which skips entries
already imported by their reference) and the census's other values (`CensusDetail`). Every change is
in the activity log: the children created and filled in, the involvements started or changed, and one
`event.imported` row per child with entries, naming the batch.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from safeguarding.agencies.models import Agency
from safeguarding.census.models import CensusDetail
from safeguarding.children.enums import SEX_FROM_CENSUS, Ethnicity, Sex, UPNUnknown
from safeguarding.children.models import Child, Involvement, normalise_name
from safeguarding.children.services import INVOLVEMENT_FIELDS
from safeguarding.children.validators import validate_upn
from safeguarding.chronology.import_rows import WRITE_BATCH, ImportResult, Progress, Row, chunks
from safeguarding.chronology.import_writer import write_rows
from safeguarding.chronology.models import Event, EventType, ImportBatch
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot

if TYPE_CHECKING:
    from safeguarding.census.importer import Planned
    from safeguarding.census.reading import CensusChild, Episode
    from safeguarding.core.types import Person

# What the census fills in on a child's record when the record has nothing there yet.
CENSUS_FIELDS = (
    "la_child_id",
    "upn",
    "former_upn",
    "upn_unknown",
    "date_of_birth",
    "expected_date_of_birth",
    "date_of_death",
    "sex",
    "ethnicity",
    "disabilities",
)
# Every census field is masked in the log's diffs: identifiers, and special category data (ethnicity,
# disability) — the log says which fields were filled in, never their values.
LOG_MASKED = (*Child.MASKED_FIELDS, *CENSUS_FIELDS)
SERVICE_CHILD_IN_NEED = "Child in need (census)"
SERVICE_CHILD_PROTECTION = "Child protection plan (census)"
SERVICE_NO_FURTHER_ACTION = "Referral: no further action (census)"


class DryRunRollback(Exception):
    """Raised at the end of a dry run's writing so that its transaction rolls back."""


def _former_upn(child: CensusChild) -> str:
    """A former UPN the Hub can keep (its check letter right); else "" (the validator queried it)."""
    try:
        validate_upn(child.former_upn)
    except ValidationError:
        return ""
    return child.former_upn


def census_values(child: CensusChild) -> dict[str, Any]:
    """The child's census fields as the Hub stores them."""
    return {
        "la_child_id": child.la_child_id,
        "upn": child.upn or None,
        "former_upn": _former_upn(child) if child.former_upn else "",
        "upn_unknown": child.upn_unknown if child.upn_unknown in UPNUnknown.values else "",
        "date_of_birth": child.birth_date,
        "expected_date_of_birth": child.expected_birth_date,
        "date_of_death": child.death_date,
        "sex": SEX_FROM_CENSUS.get(child.sex, Sex.NOT_KNOWN),
        "ethnicity": child.ethnicity if child.ethnicity in Ethnicity.values else "",
        "disabilities": list(child.disabilities),
    }


def _create_children(planned: list[Planned], actor: Person | None, batch: ImportBatch | None) -> set[int]:
    """Unverified records for the children the Hub does not hold, named by their LA child ID (the
    census holds no names) until someone records the name."""
    new = [p for p in planned if p.child_id is None]
    records = []
    for p in new:
        last_name = f"LA child ID {p.census.la_child_id}"
        records.append(
            Child(
                first_name="",
                last_name=last_name,
                normalised_name=normalise_name("", last_name),
                is_verified=False,
                **census_values(p.census),
            )
        )
    Child.objects.bulk_create(records, batch_size=WRITE_BATCH)
    for p, record in zip(new, records, strict=True):
        p.child_id = record.pk
        record_activity(
            actor=actor,
            action="child.created",
            target=record,
            child_id=record.pk,
            changes={
                "is_verified": [None, False],
                "source": [None, "census import"],
                "import_batch": [None, batch.pk if batch else None],
            },
        )
    return {record.pk for record in records}


def _fill_children(planned: list[Planned], actor: Person | None, created: set[int]) -> None:
    """Census fields a matched child's record lacks are filled in; what it holds is never overwritten."""
    ids = [p.child_id for p in planned if p.child_id is not None and p.child_id not in created]
    records: dict[int, Child] = {}
    for chunk in chunks(ids):
        records.update(Child.objects.in_bulk(chunk))
    held = _identifiers_held([p.census for p in planned])
    for p in planned:
        record = records.get(p.child_id) if p.child_id is not None else None
        if record is None:
            continue
        before = snapshot(record, CENSUS_FIELDS)
        changed = []
        for name, value in census_values(p.census).items():
            if name in held and held[name].get(value, record.pk) != record.pk:
                continue  # another record (one merged into this) holds the identifier: it stays there
            current = getattr(record, name)
            empty = current in (None, "", []) or (name == "sex" and current == Sex.NOT_KNOWN)
            if empty and value not in (None, "", []) and value != current:
                setattr(record, name, value)
                changed.append(name)
        if changed:
            record.save(update_fields=[*changed, "updated_at"])
            record_activity(
                actor=actor,
                action="child.updated",
                target=record,
                child_id=record.pk,
                changes=diff(before, snapshot(record, CENSUS_FIELDS), LOG_MASKED),
            )


def _identifiers_held(children: list[CensusChild]) -> dict[str, dict[Any, int]]:
    """{"la_child_id"/"upn": {identifier: the record holding it}}, merged records included."""
    held: dict[str, dict[Any, int]] = {"la_child_id": {}, "upn": {}}
    for name, values in (("la_child_id", {c.la_child_id for c in children}), ("upn", {c.upn for c in children})):
        for chunk in chunks(sorted(v for v in values if v)):
            held[name].update(Child.all_records.filter(**{f"{name}__in": chunk}).values_list(name, "pk"))
    return held


def _service(episode: Episode) -> str:
    if episode.referral_nfa:
        return SERVICE_NO_FURTHER_ACTION
    return SERVICE_CHILD_PROTECTION if any(plan.end is None for plan in episode.plans) else SERVICE_CHILD_IN_NEED


def _end(episode: Episode) -> dt.date | None:
    """The closure; a referral with no further action ends the day it was decided (its closure, else
    the referral's own day): screening it gives no lasting sight of the child."""
    if episode.referral_nfa:
        return episode.closure_date or episode.referral_date
    return episode.closure_date


def _involvements(planned: list[Planned], agency: Agency, actor: Person | None) -> None:
    """One involvement per episode: the referral decided, from its date to the closure (a referral with
    no further action: that day only). A later file closes it, or changes its service, and adds nothing
    when nothing changed."""
    wanted: dict[tuple[int, dt.date], tuple[dt.date | None, str]] = {}
    for p in planned:
        for episode in p.census.episodes:
            if p.child_id is not None and episode.referral_date is not None:
                wanted[(p.child_id, episode.referral_date)] = (_end(episode), _service(episode))
    existing: dict[tuple[int, dt.date], Involvement] = {}
    for chunk in chunks(sorted({child_id for child_id, _start in wanted})):
        for involvement in Involvement.objects.filter(agency=agency, child_id__in=chunk):
            existing.setdefault((involvement.child_id, involvement.start), involvement)
    for (child_id, start), (end, service) in wanted.items():
        found = existing.get((child_id, start))
        if found is None:
            involvement = Involvement.objects.create(
                agency=agency, child_id=child_id, start=start, end=end, service=service
            )
            record_activity(
                actor=actor,
                action="involvement.started",
                target=involvement,
                child_id=child_id,
                changes=created_diff(involvement, INVOLVEMENT_FIELDS),
            )
        elif (found.end, found.service) != (end, service):
            before = snapshot(found, ["end", "service"])
            found.end, found.service = end, service
            found.save(update_fields=["end", "service"])
            record_activity(
                actor=actor,
                action="involvement.updated",
                target=found,
                child_id=child_id,
                changes=diff(before, snapshot(found, ["end", "service"])),
            )


def _rows(planned: list[Planned]) -> list[Row]:
    codes = {e.event_type for p in planned for e in p.entries}
    types = EventType.objects.in_bulk(list(codes), field_name="code")
    missing = codes - set(types)
    if missing:
        raise RuntimeError(
            f"The chronology has no event type {', '.join(sorted(missing))}: the census vocabulary is not "
            "installed (run the migrations)."
        )
    return [
        Row(
            number=p.number,
            occurred_on=entry.occurred_on,
            precision="day",
            approximate=False,
            event_type=types[entry.event_type],
            category=entry.category,
            value=None,
            original_label=types[entry.event_type].label,
            summary=entry.summary,
            action="",
            impact="",
            nhs="",
            first_name="",
            last_name="",
            name_key="",
            dob=None,
            child_reference=p.census.la_child_id,
            event_reference=entry.reference,
            child_id=p.child_id,
        )
        for p in planned
        for entry in p.entries
    ]


def _details(planned: list[Planned], agency: Agency) -> None:
    """The census's other values beside each entry that has some (`CensusDetail`), those not already
    kept: found by the entry's reference among the agency's current entries."""
    wanted = {entry.reference: entry.details for p in planned for entry in p.entries if entry.details}
    events: dict[str, int] = {}
    for chunk in chunks(list(wanted)):
        events.update(
            Event.objects.current()
            .exclude(agency_reference="")
            .filter(agency=agency, agency_reference__in=chunk)
            .values_list("agency_reference", "pk")
        )
    kept: set[int] = set()
    for chunk in chunks(list(events.values())):
        kept.update(CensusDetail.objects.filter(event_id__in=chunk).values_list("event_id", flat=True))
    CensusDetail.objects.bulk_create(
        [
            CensusDetail(event_id=events[reference], **values)
            for reference, values in wanted.items()
            if reference in events and events[reference] not in kept
        ],
        batch_size=WRITE_BATCH,
    )


@kernel.service
def write_census(
    planned: list[Planned],
    *,
    actor: Person | None,
    agency: Agency,
    batch: ImportBatch | None,
    result: ImportResult,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> None:
    """Write a checked file in one transaction; a dry run rolls it back (its counts kept)."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one import per agency at a time
    created = _create_children(planned, actor, batch)
    _fill_children(planned, actor, created)
    _involvements(planned, agency, actor)
    write_rows(
        _rows(planned),
        [],
        actor=actor,
        agency=agency,
        batch=batch,
        result=result,
        progress=progress,
        note_sharing=False,
    )
    _details(planned, agency)
    result.children_created = len(created)
    ids = [p.child_id for p in planned]
    involved: set[int] = set()
    for chunk in chunks(ids):
        involved.update(
            Involvement.objects.active_on().filter(agency=agency, child_id__in=chunk).values_list("child_id", flat=True)
        )
    result.children_involved, result.children_shared = len(involved), 0
    if dry_run:
        raise DryRunRollback
