"""Per-request context (how the action arrived, a request id) for the activity log, and a memo of
answers that stay the same for the length of one request.

Set by `RequestContextMiddleware` for web requests and by `use_via()` in commands and tasks.
Holds no personal data: the memo keeps yes/no answers and ids about the person asking, and lives
only as long as the request.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

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


T = TypeVar("T")
_memo: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar("request_memo", default=None)


@contextlib.contextmanager
def request_memo() -> Iterator[None]:
    """Answers `remembered()` for the length of one request (the middleware wraps each request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per request for `key` (e.g. ("reviews.member", user.pk)); outside a request,
    every time. For questions that several parts of one page ask (the navigation and the home
    page's panels: "is this person on a review?", "which templates are they trained for?"), never
    for what the request itself changes."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def in_request() -> bool:
    """Whether `remembered()` keeps answers now (inside a request's memo)."""
    return _memo.get() is not None


def was_remembered(key: Hashable) -> bool:
    memo = _memo.get()
    return memo is not None and key in memo


def remember(key: Hashable, value: Any) -> None:
    """Keep `value` for `key` for the rest of the request, as `remembered()` would have (outside a
    request, nothing is kept)."""
    memo = _memo.get()
    if memo is not None:
        memo.setdefault(key, value)
