"""Cost that does not grow with the partnership (issue 19, item 2): each page and API endpoint of the
browser journeys asks as many queries when the database holds many children, entries, alerts and
escalations as when it holds a few.

One partnership is built for the whole module (in a transaction rolled back at the end, so it is
built once per test worker, not once per URL): every URL is requested at the small size, the data
grows about tenfold (children the people may see, entries about them and about the cast's child,
the alerts those entries raise, escalations), and every URL is requested again. Each parametrised
test compares its URL's two counts. A count that grows is an N+1 somewhere in the page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from safeguarding.agencies.enums import Role
from safeguarding.api.services import create_api_token
from safeguarding.chronology.models import EventType
from safeguarding.concerns.models import Alert
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.tests.helpers import WNB_RULE, only_rules
from safeguarding.escalations.models import Escalation
from safeguarding.escalations.tests.conftest import EscCast, build_esc_cast
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

# The database must be set up for this module (pytest-django creates it for tests marked so); each
# test then only compares the counts the module's fixture measured.
pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30  # children (each with three entries and an alert) at each size
MOMENT = dt.datetime(2026, 11, 20, 14, 35, tzinfo=ZoneInfo("Europe/London"))


Counts = dict[str, dict[int, tuple[int, list[str]]]]  # URL label → size → (status, each query's shape)


@dataclass
class World:
    esc: EscCast
    token: str
    lead: Any  # the involved agency's designated safeguarding lead
    escalation: Escalation | None = None
    alert: Alert | None = None


@dataclass(frozen=True)
class Url:
    label: str
    who: str  # an EscCast attribute, "lead", or "token" for the agency's API token
    path: Callable[[World], str]


URLS = [
    Url("home (practitioner)", "raiser", lambda w: "/"),
    Url("home (receiving manager)", "receiving_manager", lambda w: "/"),
    Url("home (business unit)", "business", lambda w: "/"),
    Url("find a child", "raiser", lambda w: "/children/?name=Marsh"),
    Url("child record", "raiser", lambda w: f"/children/{w.esc.cast.child.pk}/"),
    Url("child activity", "lead", lambda w: f"/children/{w.esc.cast.child.pk}/activity/"),
    Url("chronology page", "raiser", lambda w: f"/chronology/children/{w.esc.cast.child.pk}/"),
    Url("imports", "raiser", lambda w: "/chronology/imports/"),
    Url("alerts", "raiser", lambda w: "/alerts/"),
    Url("an alert", "raiser", lambda w: f"/alerts/{w.alert.pk if w.alert else 0}/"),
    Url("escalations inbox", "receiver", lambda w: "/escalations/"),
    Url("an escalation", "receiver", lambda w: f"/escalations/{w.escalation.pk if w.escalation else 0}/"),
    Url("raise an escalation", "raiser", lambda w: f"/escalations/raise/?child={w.esc.cast.child.pk}"),
    Url("escalation log", "business", lambda w: "/escalations/log/"),
    Url("escalation report", "business", lambda w: "/escalations/report/"),
    Url("dashboard", "business", lambda w: "/dashboard/"),
    Url("case reviews", "business", lambda w: "/reviews/"),
    Url("action plans", "business", lambda w: "/action-plans/"),
    Url("learning", "business", lambda w: "/learning/"),
    Url("learning reports", "business", lambda w: "/learning/reports/"),
    Url("committee reports", "business", lambda w: "/reports/"),
    Url("API: children", "token", lambda w: "/api/v1/children/"),
    Url("API: a child", "token", lambda w: f"/api/v1/children/{w.esc.cast.child.pk}/"),
    Url("API: chronology", "token", lambda w: f"/api/v1/children/{w.esc.cast.child.pk}/chronology/"),
    Url("API: alerts of a child", "token", lambda w: f"/api/v1/alerts/?child={w.esc.cast.child.pk}"),
    Url("API: escalations", "token", lambda w: "/api/v1/escalations/"),
]


def _grow(world: World, children: int) -> None:
    """`children` more children the cast's agency works with, each with three missed appointments (which
    raise an alert), an entry each about the cast's child, and an escalation about every third child."""
    esc = world.esc
    cast = esc.cast
    was_not_brought = EventType.objects.get(code="was_not_brought")
    new = []
    for n in range(children):
        child = f.ChildFactory(last_name="Marsh" if n % 2 else "Ashby")
        new.append(child.pk)
        for days in (300, 200, 100):
            record_as_involved(
                actor=esc.raiser,
                agency=cast.agency,
                children=[child],
                event_type=was_not_brought,
                occurred_on=(MOMENT - dt.timedelta(days=days + n)).date(),
                summary=f"Not brought to clinic ({n}, {days})",
            )
        record_as_involved(
            actor=esc.raiser,
            agency=cast.agency,
            children=[cast.child],
            event_type=was_not_brought,
            occurred_on=(MOMENT - dt.timedelta(days=400 + 7 * n)).date(),
            summary=f"Not brought to the dentist ({n})",
        )
        if n % 3 == 0:
            esc.raise_one(children=[child], disputed_decision=f"Decision {n} was closed too soon.")
    evaluate_children([*new, cast.child.pk])
    world.escalation = world.escalation or esc.raise_one()
    world.alert = world.alert or Alert.objects.filter(child__in=new).order_by("pk").first()


def _count(world: World, clients: dict[str, Client], url: Url) -> tuple[int, list[str]]:
    """(status, the SQL of each query) of a second request (the first warms per-process caches)."""
    client = clients[url.who]
    headers = {"HTTP_AUTHORIZATION": f"Token {world.token}"} if url.who == "token" else {}
    path = url.path(world)
    client.get(path, **headers)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path, **headers).status_code
    return status, [_shape(q["sql"]) for q in queries.captured_queries]


def _shape(sql: str) -> str:
    """A statement without its values (ids, dates, savepoint names), so that repeats can be counted."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"', "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"\?(, \?)+", "?", sql)


def _clients(world: World) -> dict[str, Client]:
    from conftest import verified_client

    people = {url.who for url in URLS} - {"token"}
    return {"token": Client(), **{who: verified_client(getattr(world.esc, who, world.lead)) for who in people}}


@pytest.fixture(scope="module")
def counts(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> Iterator[Counts]:
    """Every chosen URL's (status, queries) at both sizes, from one partnership grown in place."""
    chosen = [
        item.callspec.params["url"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    ]
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        django_db_blocker.unblock(),
        time_machine.travel(MOMENT, tick=False),
        override_settings(TASKS=tasks),
        transaction.atomic(),
    ):
        only_rules(WNB_RULE)
        esc = build_esc_cast()
        lead = f.member(esc.cast.agency, Role.SAFEGUARDING_LEAD, username="lead")
        _token, key = create_api_token(actor=None, agency=esc.cast.agency, name="Scaling test", system=True)
        world = World(esc=esc, token=key, lead=lead)
        clients = _clients(world)
        found: Counts = {url.label: {} for url in chosen}
        _grow(world, SMALL)
        for url in chosen:
            found[url.label][SMALL] = _count(world, clients, url)
        _grow(world, LARGE - SMALL)
        for url in chosen:
            found[url.label][LARGE] = _count(world, clients, url)
        yield found
        transaction.set_rollback(True)


@pytest.mark.parametrize("url", URLS, ids=[url.label for url in URLS])
def test_queries_do_not_grow_with_the_partnership(counts: Counts, url: Url) -> None:
    (small_status, small), (large_status, large) = counts[url.label][SMALL], counts[url.label][LARGE]
    assert small_status == large_status == 200, f"{url.label} answered {small_status} and {large_status}"
    if os.environ.get("QUERY_SCALING_DUMP"):
        Path(os.environ["QUERY_SCALING_DUMP"]).write_text("\n".join([*small, "-----", *large]))
    grown = Counter(large) - Counter(small)  # the statements asked more often (an N+1's signature)
    assert len(large) <= len(small), (
        f"{url.label}: {len(small)} queries with {SMALL} children, {len(large)} with {LARGE}; more often: "
        + "; ".join(f"{n}× {sql[:300]}" for sql, n in grown.most_common(3))
    )
