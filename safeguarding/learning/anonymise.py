"""Case studies and briefings from reviews name children by the review's pseudonyms only.

`scrub` replaces the real names of a review's children (full name, first name, last name, other
names) with the child's pseudonym; `real_names_in` finds any left, so the services can refuse text that
still holds one. Whole words only, case-insensitive: "Masonry" is not "Mason".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from safeguarding.reviews.models import Review


@dataclass(frozen=True)
class NameRule:
    pattern: re.Pattern[str]
    pseudonym: str


def _word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)


def name_rules(review: Review | None) -> list[NameRule]:
    """Longest names first, so "Tyler Whitlock" becomes "Child A", not "Child A Whitlock"."""
    if review is None:
        return []
    pairs: list[tuple[str, str]] = []
    for link in review.child_links.select_related("child"):
        child = link.child
        names = {f"{child.first_name} {child.last_name}", child.first_name, child.last_name}
        for other in re.split(r"[,;/]", child.other_names or ""):
            if other.strip():
                names |= {other.strip(), f"{other.strip()} {child.last_name}"}
        for name in names:
            name = " ".join(name.split())
            if len(name) >= 2:
                # A shared surname stands for the family, not one child.
                pairs.append((name, "the family" if name == child.last_name else link.pseudonym))
    pairs.sort(key=lambda pair: -len(pair[0]))
    return [NameRule(_word(name), pseudonym) for name, pseudonym in pairs]


def scrub(text: str, rules: list[NameRule]) -> str:
    for rule in rules:
        text = rule.pattern.sub(rule.pseudonym, text)
    return text


def real_names_in(text: str, rules: list[NameRule]) -> list[str]:
    found = []
    for rule in rules:
        match = rule.pattern.search(text)
        if match:
            found.append(match.group(0))
    return found


def finding_titles(review: Review, findings: list[Any]) -> list[tuple[int, str]]:
    """(number, title) of each finding with the children's real names replaced by their pseudonyms: a
    finding is written for the review panel, which knows the children; a briefing's reader does not."""
    rules = name_rules(review)
    return [(f.number, scrub(f.title, rules)) for f in findings]
