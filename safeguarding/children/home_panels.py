"""What the children app shows on the home page, by role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.children import permissions, queries
from safeguarding.children.models import AccessGrant, Child
from safeguarding.core import facts
from safeguarding.core.home import Panel

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


LED_SHOWN = 50


def my_children(request: PersonRequest) -> Panel | None:
    user = request.user
    if not permissions.holds_case_role(user):
        return None
    led, more = queries.children_led_by(user, LED_SHOWN)
    count, counted_at = queries.caseload_count(user)
    return Panel(
        "children/panels/my_children.html",
        {
            "led_children": led,
            "more_led": more,
            "led_shown": LED_SHOWN,
            "agency_children_count": count,
            "counted_at": counted_at,
        },
    )


def my_grants(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated or not facts.holds(user, "children.holds_a_grant"):
        return None
    held = list(AccessGrant.objects.active().filter(user=user).select_related("child", "granted_by"))
    if not held:  # expired since the home page's facts were asked
        return None
    return Panel("children/panels/my_grants.html", {"held_grants": held})


def agency_grants(request: PersonRequest) -> Panel | None:
    user = request.user
    if not permissions.can_grant_access(user):
        return None
    from safeguarding.agencies.enums import GRANTING_ROLES

    rows = queries.grants_given_in_agencies(user.agency_ids_with_role(GRANTING_ROLES))  # type: ignore[union-attr]
    return Panel("children/panels/agency_grants.html", {"agency_grants": rows[:20]})


def partnership_summary(request: PersonRequest) -> Panel | None:
    from safeguarding.agencies.models import Agency
    from safeguarding.agencies.permissions import can_view_partnership

    if not can_view_partnership(request.user):
        return None
    return Panel(
        "children/panels/partnership_summary.html",
        {"agency_count": Agency.objects.active().count(), "child_count": Child.objects.count()},
    )


# Whether the person holds a live access grant (asked with the home page's other facts, one query).
facts.register(
    "children.holds_a_grant", lambda user: AccessGrant.objects.active().filter(user_id=user.pk), group=facts.HOME
)
