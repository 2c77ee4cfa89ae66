"""Per-request context (how the action arrived, a request id) for the activity log.

Set by `RequestContextMiddleware` for web requests and by `use_via()` in commands and tasks.
Holds no personal data.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from safeguarding.core.enums import Via


@dataclass(frozen=True)
class ActivityContext:
    via: str
    request_id: str


_current: contextvars.ContextVar[ActivityContext | None] = contextvars.ContextVar("activity_context", default=None)


def current() -> ActivityContext:
    ctx = _current.get()
    return ctx if ctx is not None else ActivityContext(via=Via.SYSTEM, request_id="")


@contextlib.contextmanager
def use_via(via: str, request_id: str | None = None) -> Iterator[ActivityContext]:
    ctx = ActivityContext(via=via, request_id=request_id or uuid.uuid4().hex)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
