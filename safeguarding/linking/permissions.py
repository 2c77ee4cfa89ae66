"""Who may decide possible matches and merges: the partnership's data stewards (a role in the
partnership file). Declared once here and asked by pages, the API and templates alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from safeguarding.agencies.enums import Role
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


@rules.predicate
def can_steward(user: Viewer) -> bool:
    return is_active_person(user) and not user.is_system and user.has_role(Role.DATA_STEWARD)


rules.add_perm("linking.decide_match", can_steward)
rules.add_perm("linking.merge_children", can_steward)
