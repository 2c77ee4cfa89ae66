"""The review chronology: agencies' chronology files, read with the chronology import format (header
synonyms, strict day-first dates, the event vocabulary), merged in date order keeping the source agency,
and an anonymised view that uses the review's pseudonyms.

An import is all or nothing: a file with any row in error adds no entry, and the errors go back to the
agency with the row and column. The names replaced in the anonymised view come from the case's own
records (the children, their relatives and the adults in their households), not from a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from safeguarding.children.models import Adult, HouseholdMember, Relationship, normalise_name
from safeguarding.chronology import tabular
from safeguarding.chronology.import_rows import ImportResult, Vocabulary, parse_rows
from safeguarding.reviews.models import ChronologyEntry, Review, ReviewChild, Submission

if TYPE_CHECKING:
    from safeguarding.reviews.services import Upload

MAX_REPORTED = 20


def _match_child(links: list[ReviewChild], first: str, last: str, nhs: str) -> ReviewChild | None:
    for link in links:
        if nhs and link.child.nhs_number == nhs:
            return link
    key = normalise_name(first, last)
    if key:
        for link in links:
            if link.child.normalised_name == key:
                return link
    return None


def import_submission(submission: Submission, upload: Upload) -> list[ChronologyEntry]:
    """Read the agency's file into the review chronology (the caller holds the transaction)."""
    review = submission.request.review
    result = ImportResult()
    try:
        table = tabular.read_table(upload.filename, upload.content)
    except tabular.FileError as exc:
        raise ValidationError({"document": str(exc)}) from exc
    try:
        rows = parse_rows(table, submission.request.agency, Vocabulary(), result)
    finally:
        if table.close:
            table.close()
    if result.rejected or not rows:
        problems = [f"Row {e['row']}, {e['column'] or 'file'}: {e['reason']}" for e in result.errors[:MAX_REPORTED]]
        if not problems:
            problems = ["The file has no chronology rows."]
        raise ValidationError({"document": ["Nothing was imported. Correct the file and upload it again.", *problems]})
    links = list(review.child_links.select_related("child"))
    entries = [
        ChronologyEntry(
            review=review,
            submission=submission,
            agency=submission.request.agency,
            review_child=_match_child(links, row.first_name, row.last_name, row.nhs),
            source_row=row.number,
            occurred_on=row.occurred_on,
            precision=row.precision,
            approximate=row.approximate,
            event_type=row.original_label or row.event_type.label,
            summary=row.summary,
            impact=row.impact,
            action_taken=row.action,
        )
        for row in rows
    ]
    return ChronologyEntry.objects.bulk_create(entries)


# ---- anonymised view ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replacement:
    name: str
    pseudonym: str


def replacements_for(review: Review) -> list[Replacement]:
    """Every name in the case's records and what replaces it, longest names first.

    Children become their pseudonyms; relatives and household adults become their relationship to the
    first child they relate to ("Mother of Child A"); a family name on its own becomes "the family".
    """
    links = list(review.child_links.select_related("child").order_by("pseudonym"))
    pairs: dict[str, str] = {}
    surnames: set[str] = set()

    def add(name: str, pseudonym: str) -> None:
        name = name.strip()
        if len(name) >= 2 and name.lower() not in pairs:
            pairs[name.lower()] = pseudonym

    for link in links:
        child = link.child
        add(child.full_name, link.pseudonym)
        add(child.first_name, link.pseudonym)
        for other in filter(None, re.split(r"[,;/]", child.other_names or "")):
            add(other, link.pseudonym)
        surnames.add(child.last_name)
    child_ids = [link.child_id for link in links]
    pseudonym_of = {link.child_id: link.pseudonym for link in links}
    for rel in Relationship.objects.filter(child_id__in=child_ids).select_related("adult", "other_child"):
        person = rel.adult or rel.other_child
        if person is None or (rel.other_child_id and rel.other_child_id in pseudonym_of):
            continue
        label = f"{rel.get_kind_display()} of {pseudonym_of[rel.child_id]}"
        add(person.full_name, label)
        add(person.first_name, label)
        surnames.add(person.last_name)
    households = HouseholdMember.objects.filter(child_id__in=child_ids).values("household_id")
    for adult in Adult.objects.filter(household_links__household_id__in=households).distinct():
        add(adult.full_name, "an adult in the household")
        add(adult.first_name, "an adult in the household")
        surnames.add(adult.last_name)
    for surname in surnames:
        add(surname, "the family")
    return [Replacement(n, p) for n, p in sorted(pairs.items(), key=lambda item: (-len(item[0]), item[0]))]


def anonymise(text: str, replacements: list[Replacement]) -> str:
    if not text or not replacements:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(r.name) for r in replacements) + r")\b", re.IGNORECASE)
    lookup = {r.name.lower(): r.pseudonym for r in replacements}
    return pattern.sub(lambda m: lookup[m.group(0).lower()], text)


@dataclass(frozen=True)
class ShownEntry:
    entry: ChronologyEntry
    child: str
    summary: str
    impact: str
    action_taken: str


def review_chronology(review: Review, *, anonymised: bool = True) -> list[ShownEntry]:
    """The merged review chronology in date order, each entry with its source agency."""
    entries = list(
        review.chronology.select_related("agency", "review_child__child").order_by(
            "occurred_on", "agency__name", "source_row", "pk"
        )
    )
    replacements = replacements_for(review) if anonymised else []
    shown = []
    for e in entries:
        if e.review_child is None:
            child = "Not matched"
        else:
            child = e.review_child.pseudonym if anonymised else e.review_child.child.full_name
        shown.append(
            ShownEntry(
                entry=e,
                child=child,
                summary=anonymise(e.summary, replacements),
                impact=anonymise(e.impact, replacements),
                action_taken=anonymise(e.action_taken, replacements),
            )
        )
    return shown
