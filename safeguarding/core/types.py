"""The types of the people the code is asked about.

`Person` is the user model (`safeguarding.agencies.models.User`): someone signed in, or a system
account (an agency system through the API). `Viewer` is anyone a page or query may be asked about,
signed in or not. Both exist only for the type checker (core does not import the feature apps at run
time): import them under `if TYPE_CHECKING:`. `PersonRequest` is the request of a view behind
`login_required` (its `user` is a `Person`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from typing import TypeAlias

    from django.contrib.auth.models import AnonymousUser

    from safeguarding.agencies.models import User

    Person: TypeAlias = User
    Viewer: TypeAlias = User | AnonymousUser


class PersonRequest(HttpRequest):
    """A request from someone signed in (a view behind `login_required`)."""

    user: Person
