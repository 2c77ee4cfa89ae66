"""Who makes an API request.

DRF types `request.user` as anyone (`User | AnonymousUser`); every endpoint is behind
`IsAuthenticated` (the default permission), so by the time an action runs it is a person or an agency
system account. `person(request)` says so to the type checker, and refuses (401) should an endpoint
ever be opened to anonymous callers by mistake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import NotAuthenticated

if TYPE_CHECKING:
    from rest_framework.request import Request

    from safeguarding.core.types import Person


def person(request: Request) -> Person:
    """The signed-in person (or system account) behind `request` (401 if nobody is signed in)."""
    user = request.user
    if user is None or isinstance(user, AnonymousUser):
        raise NotAuthenticated
    return user
