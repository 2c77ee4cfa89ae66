"""What identifies the children of a review: the one list, used by the committee report
(`publishing.anonymity`) and by the scan of the published review report (`reviews.identifier_scan`).

Reviews name children by pseudonym (`ReviewChild`); nothing published may carry a child's or family
member's name, NHS number, date of birth or home postcode. `identifying_terms(review)` lists those
details for the review's children and the adults and children linked to them; with `wider=True` it
adds the households' addresses and references, each agency's own references for the children
(`chronology.ChildAgencyReference`: UPN, local authority child ID…) and the schools the children
attend (involvements of school agencies), which a published report must not name either but a committee report may (an
agency leading an action is named there).

`find_identifying` says whether a text contains any (whole words, any case); `find_terms` says where;
`scrub` replaces them in text that comes from other records: a child's name by their pseudonym,
anything else by "[removed]".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from safeguarding.agencies.enums import AgencyKind
from safeguarding.children.models import Adult, Child, HouseholdMember, Involvement, Relationship
from safeguarding.chronology.models import ChildAgencyReference
from safeguarding.reviews.models import Review

REMOVED = "[removed]"


class TermKind:
    """What a term is (the scan's hits say which)."""

    NAME = "name"
    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    ADDRESS = "address"
    SCHOOL = "school"
    REFERENCE = "reference"

    LABELS = {
        NAME: "Name",
        NHS_NUMBER: "NHS number",
        DATE_OF_BIRTH: "Date of birth",
        POSTCODE: "Postcode",
        ADDRESS: "Address",
        SCHOOL: "School",
        REFERENCE: "Reference",
    }


@dataclass(frozen=True)
class Term:
    text: str
    replacement: str
    kind: str = TermKind.NAME


@dataclass(frozen=True)
class Found:
    """Where a term was found in a text."""

    start: int
    end: int
    term: Term


def _dates(child: Child | Adult) -> list[str]:
    dob = child.date_of_birth
    if dob is None:
        return []
    # The ways a report writes a date: 05/03/2015, 5/3/2015, 05.03.2015, 05-03-2015, 5 March 2015,
    # 5 Mar 2015, March 5, 2015 and 2015-03-05.
    return [
        f"{dob:%d/%m/%Y}",
        f"{dob.day}/{dob.month}/{dob.year}",
        f"{dob:%d.%m.%Y}",
        f"{dob:%d-%m-%Y}",
        f"{dob.day} {dob:%B %Y}",
        f"{dob.day} {dob:%b %Y}",
        f"{dob:%B} {dob.day}, {dob.year}",
        dob.isoformat(),
    ]


def _names(person: Child | Adult) -> list[str]:
    parts = [person.full_name, person.first_name, person.last_name, *person.other_names.replace(",", " ").split()]
    return [p.strip() for p in parts if len(p.strip()) >= 2]


def _person_terms(person: Child | Adult, replacement_for: dict[str, str]) -> list[Term]:
    terms = [Term(name, replacement_for.get(name, REMOVED), TermKind.NAME) for name in _names(person)]
    terms += [Term(value, REMOVED, TermKind.DATE_OF_BIRTH) for value in _dates(person)]
    if person.nhs_number:
        n = person.nhs_number
        terms += [
            Term(n, REMOVED, TermKind.NHS_NUMBER),
            Term(f"{n[:3]} {n[3:6]} {n[6:]}", REMOVED, TermKind.NHS_NUMBER),
        ]
    return terms


def _wider_terms(child_ids: Iterable[int], households: Iterable[HouseholdMember]) -> list[Term]:
    terms: list[Term] = []
    for member in households:
        household = member.household
        terms.append(Term(household.reference, REMOVED, TermKind.REFERENCE))
        for line in (household.address_line_1, household.address_line_2):
            if len(line.strip()) >= 4:
                terms.append(Term(line.strip(), REMOVED, TermKind.ADDRESS))
    # Each agency's own identifier for a child (UPN, local authority child ID, crime reference…).
    for reference in ChildAgencyReference.objects.filter(child_id__in=list(child_ids)):
        terms.append(Term(reference.reference, REMOVED, TermKind.REFERENCE))
    # The census identifiers on the child's own record (docs/cin-census.md).
    census = Child.all_records.filter(pk__in=list(child_ids)).values_list("la_child_id", "upn", "former_upn")
    for values in census:
        terms += [Term(value, REMOVED, TermKind.REFERENCE) for value in values if value]
    schools = Involvement.objects.filter(child_id__in=list(child_ids), agency__kind=AgencyKind.SCHOOL)
    for involvement in schools.select_related("agency"):
        terms.append(Term(involvement.agency.name, "the school", TermKind.SCHOOL))
    return [t for t in terms if t.text.strip()]


def identifying_terms(review: Review, *, wider: bool = False) -> list[Term]:
    links = list(review.child_links.select_related("child"))
    children = {link.child_id: link for link in links}
    terms: list[Term] = []
    for link in links:
        child = link.child
        # A child's full or first name reads naturally as the pseudonym; a surname names the family.
        terms += _person_terms(child, {child.full_name: link.pseudonym, child.first_name: link.pseudonym})
    relationships = Relationship.objects.filter(child_id__in=children).select_related("adult", "other_child")
    others: list[Child | Adult] = [r.person for r in relationships if r.other_child_id not in children]
    for person in others:
        terms += [t for t in _person_terms(person, {}) if t.kind != TermKind.NHS_NUMBER or wider]
    households = list(HouseholdMember.objects.filter(child_id__in=children).select_related("household"))
    for member in households:
        postcode = (member.household.postcode or "").strip()
        if postcode:
            terms.append(Term(postcode, REMOVED, TermKind.POSTCODE))
    if wider:
        terms += _wider_terms(children, households)
    # Longest first, so "Tyler Whitlock" is replaced before "Tyler".
    unique = {t.text.lower(): t for t in terms}
    return sorted(unique.values(), key=lambda t: -len(t.text))


def _pattern(terms: Iterable[Term]) -> re.Pattern[str] | None:
    words = [re.escape(t.text) for t in terms]
    if not words:
        return None
    return re.compile(r"(?<![\w/])(" + "|".join(words) + r")(?![\w/])", re.IGNORECASE)


def find_identifying(text: str, terms: list[Term]) -> bool:
    pattern = _pattern(terms)
    return bool(pattern and pattern.search(text or ""))


def find_terms(text: str, terms: list[Term]) -> list[Found]:
    """Every place a term occurs in `text` (whole words, any case), in order."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    by_text = {t.text.lower(): t for t in terms}
    return [Found(m.start(), m.end(), by_text[m.group(0).lower()]) for m in pattern.finditer(text)]


def scrub(text: str, terms: list[Term]) -> str:
    pattern = _pattern(terms)
    if pattern is None or not text:
        return text
    by_text = {t.text.lower(): t.replacement for t in terms}
    return pattern.sub(lambda m: by_text.get(m.group(0).lower(), REMOVED), text)
