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

A fact's queryset may depend on the person only through their id, `is_active`, `is_system` and active
memberships (agency, role): building and compiling the query's `EXISTS` subqueries was most of its CPU
(about a sixth of a signed-in page's), so its SQL is compiled once per person, memberships, database and day
in each process and kept (`_compiled`); the query itself still runs on every page. The time the
query was built at (a "now", as in the home page's "holds a live access grant") is put back with the time
of each asking; a query with any other date and time in its parameters is not kept.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Hashable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Exists, QuerySet
from django.utils import timezone

from safeguarding.core.context import in_request, remember, remembered, was_remembered

PAGE = "page"
HOME = "home"

_facts: dict[str, tuple[str, Callable[[Any], QuerySet[Any]]]] = {}


def register(name: str, rows: Callable[[Any], QuerySet[Any]], *, group: str = PAGE) -> None:
    """`name` holds for a person when `rows(person)` has a row."""
    _facts.setdefault(name, (group, rows))


# (groups, database, person, memberships…) -> the facts query's SQL, its parameters and which of them are
# the time it was built at ("now"), per process.
_compiled: dict[Hashable, tuple[str, tuple[Any, ...], tuple[int, ...]]] = {}
_COMPILED_MAX = 2048
# A date and time as a parameter: a datetime (PostgreSQL) or its text (SQLite's adapter, in UTC).
_DATETIME_TEXT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def _times_of_building(
    params: tuple[Any, ...], since: datetime.datetime, until: datetime.datetime, alias: str
) -> tuple[int, ...] | None:
    """Where the parameters hold the time the query was built at (between `since` and `until`): put back
    with the time of each later asking. None when one holds any other time (such as a day ago): not kept."""
    positions = []
    for number, param in enumerate(params):
        moment = param
        if isinstance(param, str) and _DATETIME_TEXT.match(param):
            try:
                moment = datetime.datetime.fromisoformat(param)
            except ValueError:
                return None
        if isinstance(moment, datetime.datetime):
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, connections[alias].timezone)
            if not since <= moment <= until:
                return None
            positions.append(number)
    return tuple(positions)


def _shape(user: Any) -> tuple[Any, ...]:
    """All a fact's queryset may depend on (see the module's docstring)."""
    memberships = tuple(sorted((m.agency_id, m.role) for m in getattr(user, "active_memberships", ())))
    return (user.pk, bool(user.is_active), bool(getattr(user, "is_system", False)), memberships)


def _query(user: Any, names: list[str]) -> QuerySet[Any]:
    columns = {f"fact_{number}": Exists(_facts[name][1](user)) for number, name in enumerate(names)}
    people = get_user_model()._default_manager.filter(pk=user.pk).order_by()
    # As `.first()` would: the person's row by primary key.
    return people.annotate(**columns).values_list(*columns).order_by("pk")[:1]


def _sql(user: Any, names: list[str], groups: list[str]) -> tuple[str, str, tuple[Any, ...]]:
    alias = get_user_model()._default_manager.db
    key = (tuple(groups), tuple(names), alias, timezone.localdate(), *_shape(user))
    found = _compiled.get(key)
    if found is not None:
        sql, params, times = found
        if times:
            now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
            params = tuple(now if number in times else param for number, param in enumerate(params))
        return alias, sql, params
    since = timezone.now()
    sql, built = _query(user, names).query.get_compiler(using=alias).as_sql()
    params = tuple(built)
    building = _times_of_building(params, since, timezone.now(), alias)
    if building is not None:
        if len(_compiled) >= _COMPILED_MAX:
            _compiled.clear()
        _compiled[key] = (sql, params, building)
    return alias, sql, params


def _ask(user: Any, groups: list[str]) -> dict[str, dict[str, bool]]:
    names = [name for name, (group, _) in _facts.items() if group in groups]
    alias, sql, params = _sql(user, names, groups)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        answers = cursor.fetchone()
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
