"""Read-side access: every list of children goes through `children_visible_to`, every detail
through `get_child_for_user`, which answers 404 for what the user may not see — the same answer
as for a child that does not exist."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeGuard

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safeguarding.children.models import AccessGrant, Adult, Child, Involvement, normalise_name
from safeguarding.children.validators import normalise_nhs_number
from safeguarding.core.access import get_or_404
from safeguarding.core.restriction import can_see_restricted, restriction_q

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def _memberships(user: Person) -> list[tuple[int, str]]:
    return [(m.agency_id, m.role) for m in user.active_memberships]


def _can_hold_records(user: Viewer | None) -> TypeGuard[Person]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def visible_child_condition(user: Person, child_ref: str = "pk") -> Q:
    """A condition on Child rows (or on rows whose `child_ref` is a child id) for this user.

    A child is visible while one of the user's case-holding agencies has an active involvement
    the user may see (a restricted involvement counts only for those it is restricted to), or
    while the user holds a live access grant for the child.
    """
    today = timezone.localdate()
    now = timezone.now()
    agency_ids = user.case_agency_ids
    involved = Involvement.objects.filter(
        Q(end__isnull=True) | Q(end__gte=today),
        restriction_q(_memberships(user)),
        child_id=OuterRef(child_ref),
        agency_id__in=agency_ids,
        start__lte=today,
    )
    granted = AccessGrant.objects.filter(
        child_id=OuterRef(child_ref), user_id=user.pk, revoked_at__isnull=True, starts_at__lte=now, expires_at__gt=now
    )
    if agency_ids:
        return Q(Exists(involved)) | Q(Exists(granted))
    return Q(Exists(granted))


def children_visible_to(user: Viewer) -> QuerySet[Child]:
    if not _can_hold_records(user):
        return Child.objects.none()
    return Child.objects.filter(visible_child_condition(user))


def children_led_by(user: Person, limit: int) -> tuple[list[Child], bool]:
    """Up to `limit` children this person may see and is lead professional for (an open involvement),
    those they took on most recently, in name order; and whether there are more.

    Read through the involvements' lead professional index in start order, so the query stops after
    `limit` children however many the person leads (all of them sorted by name grew with the caseload:
    4,698 children for a health visitor of the large demo)."""
    rows = (
        Involvement.objects.filter(visible_child_condition(user, "child_id"), lead_professional_id=user.pk)
        .filter(end__isnull=True)
        .order_by("-start", "-id")
        .values_list("child_id", flat=True)
    )
    found: dict[int, None] = {}  # in order; a child led through two involvements counts once
    batch, offset = limit + 1, 0
    while len(found) <= limit:
        page = list(rows[offset : offset + batch])
        found.update(dict.fromkeys(page))
        if len(page) < batch:
            break
        offset += batch
    ids = list(found)
    children = list(Child.objects.filter(pk__in=ids[:limit]).order_by("last_name", "first_name", "id"))
    return children, len(ids) > limit


CASELOAD_SECONDS = 300


def caseload_count(user: Person) -> tuple[int, datetime]:
    """How many children this person may see (`children_visible_to`), and when that was counted: kept
    for CASELOAD_SECONDS in Django's cache (the page says when it was counted), per person, their
    memberships and the day. Counting reads every child the agency works with (20,848 for a health
    trust of the large demo), so it is not counted on every home page."""
    memberships = ",".join(f"{a}:{r}" for a, r in sorted(_memberships(user)))
    key = f"children:caseload:v1:{user.pk}:{timezone.localdate():%Y%m%d}:{memberships}"
    found = cache.get(key)
    if found is None:
        found = (children_visible_to(user).count(), timezone.now())
        cache.set(key, found, CASELOAD_SECONDS)
    return found


def get_child_for_user(user: Viewer, pk: Any) -> Child:
    return get_or_404(children_visible_to(user), pk)


def search_children(
    user: Viewer, *, name: str = "", date_of_birth: date | None = None, nhs_number: str = ""
) -> QuerySet[Child]:
    """Children the user may see, matching every criterion given (name matches word prefixes)."""
    qs = children_visible_to(user)
    if nhs_number:
        qs = qs.filter(nhs_number=normalise_nhs_number(nhs_number))
    if date_of_birth:
        qs = qs.filter(date_of_birth=date_of_birth)
    for word in normalise_name(name).split():
        qs = qs.filter(Q(normalised_name__startswith=word) | Q(normalised_name__contains=f" {word}"))
    return qs.order_by("last_name", "first_name", "id")


def involvements_visible_to(user: Person, child: Child) -> list[Involvement]:
    memberships = _memberships(user)
    rows = child.involvements.select_related("agency", "lead_professional").order_by("-start", "id")
    return [inv for inv in rows if can_see_restricted(memberships, inv)]


def withhold_unseen_children(user: Person, people: list[Child | Adult]) -> None:
    """Mark the other children named in this record that `user` may not see, so the record names
    them as "a child you do not have access to" without their id, name or date of birth (issue 16:
    an unseen sibling was named, with id and date of birth, in a visible child's household)."""
    others = {p.pk: p for p in people if isinstance(p, Child)}
    visible = set(children_visible_to(user).filter(pk__in=list(others)).values_list("pk", flat=True))
    for person in people:
        if isinstance(person, Child):
            person.withheld = person.pk not in visible  # type: ignore[attr-defined]


def agencies_hidden_from(user: Person, child: Child) -> set[str]:
    """Codes of agencies whose only involvement with `child` is restricted and not visible to `user`.

    Their people's looks at the record are left out of "who has looked at this record" for `user`:
    listing them, by name and agency, would reveal the restricted involvement (issue 16)."""
    memberships = _memberships(user)
    shown: set[str] = set()
    hidden: set[str] = set()
    for inv in child.involvements.select_related("agency"):
        (shown if can_see_restricted(memberships, inv) or not inv.is_restricted else hidden).add(inv.agency.code)
    return hidden - shown


def active_grants_for_child(child: Child) -> QuerySet[AccessGrant]:
    return child.access_grants.active().select_related("user", "granted_by")


def grants_given_in_agencies(agency_ids: set[int]) -> QuerySet[AccessGrant]:
    """Live grants held by members of these agencies (for their safeguarding lead)."""
    return (
        AccessGrant.objects.active()
        .filter(user__memberships__agency_id__in=agency_ids, user__memberships__is_active=True)
        .select_related("user", "granted_by", "child")
        .distinct()
    )
