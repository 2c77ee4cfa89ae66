"""Who may see and manage the partnership's set-up. Declared once; used by pages, API and admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

import rules

from safeguarding.agencies.enums import Role

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def _signed_in(user: Viewer | None) -> TypeGuard[Person]:
    return bool(user is not None and user.is_authenticated and not getattr(user, "is_system", False))


@rules.predicate
def is_administrator(user: Viewer) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_business_unit(user: Viewer) -> bool:
    return _signed_in(user) and user.has_role(Role.BUSINESS_UNIT)


can_view_partnership = is_administrator | is_business_unit
can_manage_partnership = is_administrator

rules.add_perm("agencies.view_partnership", can_view_partnership)
rules.add_perm("agencies.manage_partnership", can_manage_partnership)
