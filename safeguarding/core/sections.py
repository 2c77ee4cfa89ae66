"""Sections that later apps add to another app's page, without that app importing them.

A feature app registers, in `AppConfig.ready()`, a factory for a page kind ("child", "escalation",
"review"); the page's view calls `sections_for(kind, request, obj)` and its template includes each
section's template with `section` as the context. A factory returns None when it has nothing to show
this person (it applies its own access rules: a section must never show more than its app's pages).

"child_summary" is the one-page summary for the lead professional: each app's section there may put
`upcoming` in its context, a list of `Upcoming` dates that the page merges into one list, soonest first.

Examples: the latest care plan and neglect assessment on a child's record; open alerts for the child;
the plan objectives and assessments cited in an escalation or a review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from safeguarding.core.types import PersonRequest

PageKind = Literal["child", "child_summary", "escalation", "review"]


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class Upcoming:
    """A date coming up for a child (a review, a conference, an objective's due date, a response due)."""

    on: date
    what: str
    url: str = ""


SectionFactory = Callable[[PersonRequest, Any], Section | None]

_factories: dict[str, list[tuple[int, str, SectionFactory]]] = {}


def register(kind: PageKind, name: str, factory: SectionFactory, *, order: int) -> None:
    rows = _factories.setdefault(kind, [])
    if any(n == name for _, n, _ in rows):
        return
    rows.append((order, name, factory))
    rows.sort(key=lambda row: row[0])


def sections_for(kind: PageKind, request: PersonRequest, obj: Any) -> list[Section]:
    sections = []
    for _, _, factory in _factories.get(kind, []):
        section = factory(request, obj)
        if section is not None:
            sections.append(section)
    return sections


def upcoming_from(sections: list[Section], today: date) -> list[Upcoming]:
    """Every section's upcoming dates from `today` on, soonest first."""
    rows = [u for s in sections for u in s.context.get("upcoming", []) if u.on >= today]
    return sorted(rows, key=lambda u: (u.on, u.what))
