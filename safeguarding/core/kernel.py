"""The engineering kernel every app's state changes are built on, written once.

- `service`: the decorator on every state-changing service. `actor` must be keyword-only (checked
  when the module is imported); the call runs in one transaction, so `select_for_update` can never
  run outside one; and it must write the activity log (`record_activity`) or say that nothing
  changed (`unchanged()`), else the transaction rolls back with `UnloggedChange`.
- The shared errors: `ServiceError` (a refusal whose `message` says what to do next), `NotAllowed`,
  `StaleVersion` (someone else changed the record since it was read) with its one message.
  Pages show `message` on the form (`core.forms.attempt`); the API answers 403, 409 or 400
  (`api.exceptions.api_exception_handler`).
- `require`, `now`: a guard that refuses with a message, and the moment of a change.
- `lock` and `update_versioned`: every edit of a shared record checks the version it was read at.
- `Transition` and `Workflow`: a state machine is a table of transitions plus guards; `apply`
  checks the guard and version, moves the status, writes the history row and the activity log.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import rules
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)

STALE_MESSAGE = (
    "Someone else changed this {noun} while you were working on it, so your change was not saved. "
    "Check the {noun} as it is now, then make your change again if it is still needed."
)


def stale_message(noun: str) -> str:
    """The one message for a stale version, naming what changed ("plan", "action", "audit")."""
    return STALE_MESSAGE.format(noun=noun)


class ServiceError(Exception):
    """A change the rules refuse; `message` says why and what to do next."""

    default_message = "This change cannot be made."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotAllowed(ServiceError):
    """The person may not make this change (the API answers 403)."""

    default_message = "You cannot make this change."


class StaleVersion(ServiceError):
    """Someone else changed the record since it was read (the API answers 409)."""

    def __init__(self, message: str | None = None, *, noun: str = "record") -> None:
        super().__init__(message or stale_message(noun))


class UnloggedChange(RuntimeError):
    """A service returned without writing the activity log or saying that nothing changed."""


def require(condition: Any, message: str, error: type[ServiceError] = NotAllowed) -> None:
    """Refuse with `message` unless `condition` holds."""
    if not condition:
        raise error(message)


def now(at: datetime | None = None) -> datetime:
    """The moment of a change: `at` when demo data or an import dates it in the past, else now."""
    return at if at is not None else timezone.now()


# ---- the service decorator ------------------------------------------------------------------------

# How many activity-log rows the current service has written (None outside any service), and
# whether it declared that it changed nothing.
_written: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("service_log_writes", default=None)


def note_logged() -> None:
    """Called by `record_activity`: the running service wrote the activity log."""
    frame = _written.get()
    if frame is not None:
        frame[0] += 1


def unchanged() -> None:
    """Say that the running service changed nothing (so it need not write the activity log)."""
    frame = _written.get()
    if frame is not None:
        frame[1] = 1


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Make `func` a state-changing service: keyword-only `actor`, one transaction, a logged change.

    Nested services share the outer transaction (a savepoint each) and each checks its own log."""
    parameter = inspect.signature(func).parameters.get("actor")
    if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
        raise TypeError(f"{func.__module__}.{func.__qualname__}: a service takes `actor` as a keyword-only argument")

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        frame = [0, 0]
        token = _written.set(frame)
        try:
            with transaction.atomic():
                result = func(*args, **kwargs)
                if not frame[0] and not frame[1]:
                    raise UnloggedChange(
                        f"{func.__module__}.{func.__qualname__} returned without writing the activity log"
                    )
        finally:
            _written.reset(token)
        parent = _written.get()
        if parent is not None:
            parent[0] += frame[0]
        return result

    return wrapper


# ---- versioned records ----------------------------------------------------------------------------

VERSION = "version"  # the field every shared record counts its saves in


def lock(queryset: models.QuerySet[M] | type[M], pk: Any, *, version: int | None = None, noun: str = "record") -> M:
    """The row as stored now, locked for the transaction; `StaleVersion` if it changed since `version`.

    Must run inside a transaction (a `service` is one)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    obj = qs.select_for_update(of=("self",)).get(pk=pk)
    if version is not None and getattr(obj, VERSION) != version:
        raise StaleVersion(noun=noun)
    return obj


def update_versioned(
    instance: M,
    *,
    version: int,
    changes: Mapping[str, Any],
    noun: str = "record",
    extra_filter: Mapping[str, Any] | None = None,
) -> M:
    """Save `changes` on `instance` only if nobody changed it since `version`, bumping the version.

    The conditional UPDATE is the real check: two people cannot both save from the same version.
    The caller writes the activity log (it knows which fields are personal and which to mask)."""
    if getattr(instance, VERSION) != version:
        raise StaleVersion(noun=noun)
    model = type(instance)
    filters = {"pk": instance.pk, "version": version, **(extra_filter or {})}
    updated = model._default_manager.filter(**filters).update(version=F("version") + 1, **changes)
    if not updated:
        raise StaleVersion(noun=noun)
    for name, value in changes.items():
        setattr(instance, name, value)
    setattr(instance, VERSION, version + 1)
    return instance


# ---- state machines -------------------------------------------------------------------------------

Guard = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Transition:
    """One move of a workflow: from any of `sources` to `target` (None: the status stays), allowed when
    `who(user, obj)` holds; `not_allowed` says why not."""

    action: str
    label: str
    sources: frozenset[str]
    target: str | None
    not_allowed: str
    who: Guard = lambda user, obj: True


@dataclass(frozen=True)
class Moved:
    """What `Workflow.apply` did."""

    action: str
    from_status: str
    to_status: str


class Workflow:
    """A state machine as a table of transitions plus guards.

    `name` prefixes the activity-log actions (`escalation.responded`) and `app_label` the `rules`
    permissions registered for templates' `{% has_perm %}` and `user.has_perm`."""

    def __init__(
        self,
        *,
        name: str,
        noun: str,
        transitions: Iterable[Transition],
        status_field: str = "status",
        app_label: str | None = None,
    ) -> None:
        self.name = name
        self.noun = noun
        self.status_field = status_field
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        if app_label:
            for action in self.transitions:
                perm = f"{app_label}.{action}"
                if not rules.perm_exists(perm):
                    rules.add_perm(perm, self._predicate(action))

    def _predicate(self, action: str) -> Any:
        return rules.predicate(
            lambda user, obj: obj is not None and self.can(action, user, obj), name=f"{self.name}_can_{action}"
        )

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: object) -> bool:
        return action in self.transitions

    def __iter__(self) -> Any:
        return iter(self.transitions)

    def can(self, action: str, user: Viewer | None, obj: Any) -> bool:
        transition = self.transitions[action]
        return getattr(obj, self.status_field) in transition.sources and bool(transition.who(user, obj))

    def allowed(self, user: Viewer, obj: Any) -> list[str]:
        return [action for action in self.transitions if self.can(action, user, obj)]

    def check(self, action: str, user: Viewer | None, obj: Any) -> None:
        if not self.can(action, user, obj):
            raise NotAllowed(self.transitions[action].not_allowed)

    def apply(
        self,
        obj: M,
        *,
        action: str,
        actor: Person | None,
        version: int,
        fields: Mapping[str, Any] | None = None,
        system: bool = False,
        target: str | None = None,
        history: Callable[[Moved], Any] | None = None,
        log_changes: Mapping[str, Any] | None = None,
        log_action: str | None = None,
        child_id: int | None = None,
    ) -> Moved:
        """Move `obj` by `action` if the guard allows it (`system` skips the guard, for scheduled jobs)
        and nobody changed it since `version`; save `fields` with it; call `history` to write the
        workflow's history row; write the activity log. `target` overrides the table's target (for a
        workflow whose next status is computed, such as an audit's). Call inside a service."""
        from safeguarding.core.services import record_activity

        if not system:
            self.check(action, actor, obj)
        transition = self.transitions[action]
        from_status = str(getattr(obj, self.status_field))
        to_status = str(target or transition.target or from_status)
        changes = {**(fields or {}), self.status_field: to_status}
        update_versioned(
            obj, version=version, changes=changes, noun=self.noun, extra_filter={self.status_field: from_status}
        )
        moved = Moved(action=action, from_status=from_status, to_status=to_status)
        if history is not None:
            history(moved)
        record_activity(
            actor=actor,
            action=log_action or f"{self.name}.{action}",
            target=obj,
            child_id=child_id,
            changes={self.status_field: [from_status, to_status], **(log_changes or {})},
        )
        return moved
