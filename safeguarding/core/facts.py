"""Yes/no facts about the person asking that the navigation needs on every page ("is this person on a
case review?", "do they lead or audit an audit?"), asked together: one query for all of them.

Each feature app registers its fact in `AppConfig.ready()` as a function of the person giving a
queryset; the fact is whether that queryset has a row. The first `holds()` of a request asks every
registered fact in one `SELECT EXISTS(…), EXISTS(…), …` and the request's memo
(`core.context.remembered`) keeps the answers for the rest of it: a change made by another request
shows on the next page at once. Outside a request every `holds()` asks again.

Facts belong to a group: the navigation's (`PAGE`, asked on every page) or another, such as the home
page's (`HOME`: "does this person have a draft assessment?", "do they lead a care plan?"), which a
panel asks before building its own, dearer query and so can skip it when the answer is no. A group
other than `PAGE` is asked together with `PAGE` when the request has not asked `PAGE` yet: one query
for both on the home page.

Core imports no feature app: the apps bring the querysets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet

from safeguarding.core.context import in_request, remember, remembered, was_remembered

PAGE = "page"
HOME = "home"

_facts: dict[str, tuple[str, Callable[[Any], QuerySet[Any]]]] = {}


def register(name: str, rows: Callable[[Any], QuerySet[Any]], *, group: str = PAGE) -> None:
    """`name` holds for a person when `rows(person)` has a row."""
    _facts.setdefault(name, (group, rows))


def _ask(user: Any, groups: list[str]) -> dict[str, dict[str, bool]]:
    names = [name for name, (group, _) in _facts.items() if group in groups]
    columns = {f"fact_{number}": Exists(_facts[name][1](user)) for number, name in enumerate(names)}
    people = get_user_model()._default_manager.filter(pk=user.pk).order_by()
    answers = people.annotate(**columns).values_list(*columns).first()
    # The account gone: nothing holds.
    found = dict.fromkeys(names, False) if answers is None else dict(zip(names, map(bool, answers), strict=True))
    return {group: {n: found[n] for n in names if _facts[n][0] == group} for group in groups}


def _group_answers(user: Any, group: str) -> dict[str, bool]:
    def ask() -> dict[str, bool]:
        groups = [group]
        page_key = ("core.facts", PAGE, user.pk)
        if group != PAGE and in_request() and not was_remembered(page_key):
            groups.append(PAGE)  # the navigation will ask them on this page anyway: one query for both
        answers = _ask(user, groups)
        if PAGE in groups[1:]:
            remember(page_key, answers[PAGE])
        return answers[group]

    return remembered(("core.facts", group, user.pk), ask)


def holds(user: Any, name: str) -> bool:
    """Whether the fact `name` holds for `user` (a signed-in person, by id), once per request."""
    if name not in _facts:
        raise KeyError(f"No fact {name!r} is registered.")
    return _group_answers(user, _facts[name][0])[name]
