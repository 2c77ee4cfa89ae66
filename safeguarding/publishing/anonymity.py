"""Nothing identifying in a committee report. Reviews name children by pseudonym (`ReviewChild`); a
report printed for a public committee must carry no child's or family member's name, NHS number, date
of birth or home postcode.

`identifying_terms(review)` lists those details for the review's children and the adults and children
linked to them; `find_identifying` says whether a text contains any (whole words, any case);
`scrub` replaces them in text that comes from other records (action descriptions, recommendations,
key lines of enquiry): a child's name by their pseudonym, anything else by "[removed]". Text the
business unit types is refused instead (the form says so), and a generated report is checked again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from safeguarding.children.models import Adult, Child, HouseholdMember, Relationship
from safeguarding.reviews.models import Review

REMOVED = "[removed]"


@dataclass(frozen=True)
class Term:
    text: str
    replacement: str


def _dates(child: Child | Adult) -> list[str]:
    dob = child.date_of_birth
    if dob is None:
        return []
    return [f"{dob:%d/%m/%Y}", f"{dob.day}/{dob.month}/{dob.year}", f"{dob.day} {dob:%B %Y}", dob.isoformat()]


def _names(person: Child | Adult) -> list[str]:
    parts = [person.full_name, person.first_name, person.last_name, *person.other_names.replace(",", " ").split()]
    return [p.strip() for p in parts if len(p.strip()) >= 2]


def identifying_terms(review: Review) -> list[Term]:
    links = list(review.child_links.select_related("child"))
    children = {link.child_id: link for link in links}
    terms: list[Term] = []
    for link in links:
        child = link.child
        for name in _names(child):
            # A child's full or first name reads naturally as the pseudonym; a surname names the family.
            replacement = link.pseudonym if name in (child.full_name, child.first_name) else REMOVED
            terms.append(Term(name, replacement))
        for value in [child.nhs_number or "", *_dates(child)]:
            if value:
                terms.append(Term(value, REMOVED))
        if child.nhs_number:
            n = child.nhs_number
            terms.append(Term(f"{n[:3]} {n[3:6]} {n[6:]}", REMOVED))
    relationships = Relationship.objects.filter(child_id__in=children).select_related("adult", "other_child")
    others: list[Child | Adult] = [r.person for r in relationships if r.other_child_id not in children]
    households = HouseholdMember.objects.filter(child_id__in=children).select_related("household")
    for person in others:
        terms += [Term(name, REMOVED) for name in _names(person)]
        terms += [Term(value, REMOVED) for value in _dates(person)]
    for member in households:
        postcode = (member.household.postcode or "").strip()
        if postcode:
            terms.append(Term(postcode, REMOVED))
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


def scrub(text: str, terms: list[Term]) -> str:
    pattern = _pattern(terms)
    if pattern is None or not text:
        return text
    by_text = {t.text.lower(): t.replacement for t in terms}
    return pattern.sub(lambda m: by_text.get(m.group(0).lower(), REMOVED), text)
