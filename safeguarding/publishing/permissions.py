"""Who may see and change committee reports, declared once and asked by the pages, the section on the
review page, the management command and the templates (as `publishing.*` permissions).

- The partnership business unit and administrators write: create reports, edit their text, generate
  them and record the committee's decision.
- Scrutineers read and download what was generated (they sit on, or support, the committee).
- Everyone else gets 404: a report names a review and its agencies' actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

import rules

from safeguarding.agencies.enums import Role
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

WRITE_ROLES = frozenset({Role.BUSINESS_UNIT, Role.ADMINISTRATOR})
READ_ROLES = WRITE_ROLES | {Role.SCRUTINEER}


def _person(user: Viewer | None) -> TypeGuard[Person]:
    return is_active_person(user) and not getattr(user, "is_system", False)


@rules.predicate
def can_read_reports(user: Viewer) -> bool:
    return _person(user) and user.has_role(*READ_ROLES)


@rules.predicate
def can_write_reports(user: Viewer) -> bool:
    return _person(user) and user.has_role(*WRITE_ROLES)


rules.add_perm("publishing.read", can_read_reports)
rules.add_perm("publishing.write", can_write_reports)
