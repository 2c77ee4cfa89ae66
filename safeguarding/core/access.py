"""Small checks every access rule and lookup shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

M = TypeVar("M", bound=Model)

# Primary keys are 64-bit: a longer number can be no object's id (and PostgreSQL would refuse it).
MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """The id in `value` (plain ASCII digits within range), or None when it can be no object's id."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def is_active_person(user: Viewer | None) -> TypeGuard[Person]:
    """Signed in, with an active account (a check narrows `user` to a `Person`)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def get_or_404(queryset: QuerySet[M], value: Any) -> M:
    """The object with this id among `queryset` (what the person may see), else 404: the same answer
    for an object that does not exist, one they may not see, and an id that can be no object's."""
    number = parse_id(value)
    if number is None:
        raise Http404("Not found")
    try:
        return queryset.get(pk=number)
    except ObjectDoesNotExist as exc:
        raise Http404("Not found") from exc


def require_perm(user: Viewer, perm: str, obj: Any = None, *, hidden: bool = True) -> None:
    """Let the request go on only if `user.has_perm(perm, obj)` (the app's `rules` predicate, the one
    source pages, the API and templates' `{% has_perm %}` all ask). `hidden`: refuse with 404, as for
    something that does not exist (for what the person may not see); else 403 (for an action on
    something they may see)."""
    if user is not None and user.has_perm(perm, obj):
        return
    if hidden:
        raise Http404
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def perm_required(perm: str, *, hidden: bool = True) -> Any:
    """A view decorator: the view runs only for a user with `perm` (no object), else 404 (or 403)."""
    import functools

    def decorate(view: Any) -> Any:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            require_perm(request.user, perm, hidden=hidden)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
