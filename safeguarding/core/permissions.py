"""Who may see and change what core holds: the partnership's list of bank holiday amendments.

Core imports no feature app, so the business unit's role is named by its stored value (the same as
`agencies.enums.Role.BUSINESS_UNIT`; a test checks that they agree)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer

BUSINESS_UNIT_ROLE = "business_unit"


@rules.predicate
def can_view_bank_holidays(user: Viewer | None) -> bool:
    """Anyone signed in: the bank holidays the clocks count are no secret."""
    return is_active_person(user)


@rules.predicate
def can_manage_bank_holidays(user: Viewer | None) -> bool:
    """The partnership's business unit keeps the list (an operator's command passes no actor)."""
    return is_active_person(user) and not user.is_system and user.has_role(BUSINESS_UNIT_ROLE)


rules.add_perm("core.view_bank_holidays", can_view_bank_holidays)
rules.add_perm("core.manage_bank_holidays", can_manage_bank_holidays)
