"""A read replica for the heavy readers: dashboards, reports and scans (docs/scaling.md).

Switched on by `DATABASE_REPLICA_URL` (settings add the `replica` alias, a test mirror of `default`).
Without it every query goes to `default`, as before. With it, `ReplicaRouter` sends reads made inside
`reads()` to the replica, and everything else to `default`: every write, every read outside `reads()`,
and every read inside a transaction on `default` (a service that reads and then writes must see its
own rows, and a lagging replica would not have them).

Which pages read from the replica is one list, `REPLICA_READ_VIEWS` (URL names, `namespace:*` for a
whole app), applied by `ReplicaReadsMiddleware` to GET and HEAD requests only. A command or task uses
`with replica.reads(): …`, or `read_alias()` for a raw cursor (`connections[read_alias()]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reads() -> Iterator[None]:
    """Reads inside go to the replica when there is one (and no transaction is open on default)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def read_alias() -> str:
    """The alias a read should use now: the replica inside `reads()`, outside a transaction, else default."""
    if _reading.get() and configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads inside `reads()` to the replica; writes, and everything else, to default."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of default: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # the replica follows default; it is never migrated itself


def _matches(view_name: str, patterns: list[str]) -> bool:
    namespace = view_name.partition(":")[0]
    return any(p == view_name or (p.endswith(":*") and p[:-2] == namespace) for p in patterns)


class ReplicaReadsMiddleware:
    """GET and HEAD requests to the views named in `REPLICA_READ_VIEWS` read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method not in ("GET", "HEAD") or match is None or not configured():
            return None
        if not _matches(match.view_name, list(getattr(settings, "REPLICA_READ_VIEWS", []))):
            return None
        with reads():
            return view(request, *args, **kwargs)
