"""Yes/no facts about the person asking that the navigation needs on every page ("is this person on a
case review?", "do they lead or audit an audit?"), asked together: one query for all of them.

Each feature app registers its fact in `AppConfig.ready()` as a function of the person giving a
queryset; the fact is whether that queryset has a row. The first `holds()` of a request asks every
registered fact in one `SELECT EXISTS(…), EXISTS(…), …` and the request's memo
(`core.context.remembered`) keeps the answers for the rest of it: a change made by another request
shows on the next page at once. Outside a request every `holds()` asks again.

Core imports no feature app: the apps bring the querysets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet

from safeguarding.core.context import remembered

_facts: dict[str, Callable[[Any], QuerySet[Any]]] = {}


def register(name: str, rows: Callable[[Any], QuerySet[Any]]) -> None:
    """`name` holds for a person when `rows(person)` has a row."""
    _facts.setdefault(name, rows)


def _ask_all(user: Any) -> dict[str, bool]:
    names = list(_facts)
    columns = {f"fact_{number}": Exists(_facts[name](user)) for number, name in enumerate(names)}
    people = get_user_model()._default_manager.filter(pk=user.pk).order_by()
    answers = people.annotate(**columns).values_list(*columns).first()
    if answers is None:  # the account is gone: nothing holds
        return dict.fromkeys(names, False)
    return {name: bool(answer) for name, answer in zip(names, answers, strict=True)}


def holds(user: Any, name: str) -> bool:
    """Whether the fact `name` holds for `user` (a signed-in person, by id), once per request."""
    if name not in _facts:
        raise KeyError(f"No fact {name!r} is registered.")
    return remembered(("core.facts", user.pk), lambda: _ask_all(user))[name]
