"""Read side: every list of plans goes through `plans_visible_to`, every detail through
`get_plan_for_user` (404 for a plan the person may not see, the same as for one that does not exist).

A plan is visible only to people who may see ALL of its children: a sibling group's plan tells about
every child in it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.children.queries import visible_child_condition
from safeguarding.core.access import get_or_404, is_active_person
from safeguarding.plans.enums import ObjectiveStatus, PlanStatus, VersionState
from safeguarding.plans.models import CarePlan, CarePlanChild, Objective, ObjectiveUpdate, PlanVersion

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def plans_visible_to(user: Viewer) -> QuerySet[CarePlan]:
    if not is_active_person(user):
        return CarePlan.objects.none()
    hidden_child = CarePlanChild.objects.filter(plan_id=OuterRef("pk")).exclude(
        visible_child_condition(user, "child_id")
    )
    return CarePlan.objects.filter(~Exists(hidden_child))


def with_related(qs: QuerySet[CarePlan]) -> QuerySet[CarePlan]:
    return qs.select_related("lead_professional", "lead_agency").prefetch_related(
        Prefetch("children", queryset=Child.objects.order_by("date_of_birth", "id"))
    )


def get_plan_for_user(user: Viewer, pk: Any) -> CarePlan:
    return get_or_404(with_related(plans_visible_to(user)), pk)


def plans_for_child(user: Viewer, child: Child) -> QuerySet[CarePlan]:
    return with_related(plans_visible_to(user).filter(child_links__child=child)).order_by("-started_on", "-pk")


def objectives_of(version: PlanVersion) -> list[Objective]:
    return list(version.objectives.select_related("owner_user", "owner_agency").order_by("order", "id"))


def latest_updates(plan: CarePlan) -> dict[Any, ObjectiveUpdate]:
    """The newest progress update per objective uid."""
    out: dict[Any, ObjectiveUpdate] = {}
    for update in plan.objective_updates.select_related("recorded_by", "agency").order_by("-recorded_at", "-id"):
        out.setdefault(update.objective_uid, update)
    return out


def find_objective(plan: CarePlan, uid: Any) -> Objective:
    """The objective with this uid in the plan's current version (or its latest version that has it)."""
    from django.http import Http404

    try:
        key = uuid.UUID(str(uid))
    except ValueError as exc:
        raise Http404("Not found") from exc
    current = plan.current_version()
    found = current.objectives.filter(uid=key).first() if current else None
    if found is None:
        found = Objective.objects.filter(version__plan=plan, uid=key).order_by("-version__number").first()
    if found is None:
        raise Http404("Not found")
    return found


def people_label(user: Person, agency: Any) -> str:
    return f"{user.get_full_name() or user.username} ({agency.name})"


def professionals_for_children(children: list[Child]) -> list[tuple[str, str]]:
    """(value "user:agency", label) for people with a case-holding role in agencies that work with every child."""
    from safeguarding.agencies.models import Membership
    from safeguarding.children.models import Involvement
    from safeguarding.plans.permissions import EDIT_ROLES

    agency_ids: set[int] | None = None
    for child in children:
        ids = set(Involvement.objects.active_on().filter(child=child).values_list("agency_id", flat=True))
        agency_ids = ids if agency_ids is None else agency_ids & ids
    if not agency_ids:
        return []
    rows = (
        Membership.objects.filter(
            agency_id__in=agency_ids,
            is_active=True,
            role__in=list(EDIT_ROLES),
            user__is_active=True,
            user__is_system=False,
            agency__is_active=True,
        )
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name", "user_id")
    )
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for m in rows:
        value = f"{m.user_id}:{m.agency_id}"
        if value not in seen:
            seen.add(value)
            out.append((value, people_label(m.user, m.agency)))
    return out


def plan_professionals(plan: CarePlan) -> list[tuple[str, str]]:
    """The professionals in the plan, as (value "user:agency", label)."""
    from safeguarding.plans.enums import PersonKind

    rows = plan.participants.filter(kind=PersonKind.PROFESSIONAL).select_related("user", "agency")
    return [(f"{p.user_id}:{p.agency_id}", people_label(p.user, p.agency)) for p in rows if p.user]


def plan_people(plan: CarePlan) -> list[tuple[str, str]]:
    """Everyone in the plan, as (value "p:participant id", label), for the scaling question."""
    rows = plan.participants.select_related("agency").order_by("kind", "name", "id")
    return [(f"p:{p.pk}", p.description) for p in rows]


def is_overdue(objective: Objective, latest_status: str | None, day: date) -> bool:
    """The one rule for "overdue", used by the overdue check (its notice and alert) and by every page
    that shows the Overdue tag: the date has passed (before `day`) and the latest progress is not
    "achieved" (no progress at all counts as not achieved)."""
    return objective.due_on is not None and objective.due_on < day and latest_status != ObjectiveStatus.ACHIEVED


def overdue_by_plan(plans: Any, today: date | None = None) -> dict[int, list[Objective]]:
    """For each agreed, open plan of `plans` (a list or a queryset): the objectives of its agreed version
    in force that are overdue (`is_overdue`), soonest due first. Three queries, whatever the number of
    plans: the overdue check, the plan page, the child's summary and the lists all ask this."""
    day = today or timezone.localdate()
    plan_ids = [p.pk for p in plans if p.status == PlanStatus.AGREED]
    if not plan_ids:
        return {}
    in_force: dict[int, int] = {}
    for version_id, plan_id in (
        PlanVersion.objects.filter(plan_id__in=plan_ids, state=VersionState.AGREED)
        .order_by("plan_id", "-number")
        .values_list("pk", "plan_id")
    ):
        in_force.setdefault(plan_id, version_id)
    candidates = list(
        Objective.objects.filter(version_id__in=in_force.values(), due_on__lt=day)
        .select_related("version", "owner_user", "owner_agency")
        .order_by("due_on", "pk")
    )
    if not candidates:
        return {}
    latest: dict[tuple[int, uuid.UUID], str] = {}
    for plan_id, uid, status in (
        ObjectiveUpdate.objects.filter(plan_id__in=in_force, objective_uid__in={o.uid for o in candidates})
        .order_by("-recorded_at", "-id")
        .values_list("plan_id", "objective_uid", "status")
    ):
        latest.setdefault((plan_id, uid), status)
    out: dict[int, list[Objective]] = {}
    for o in candidates:
        if is_overdue(o, latest.get((o.version.plan_id, o.uid)), day):
            out.setdefault(o.version.plan_id, []).append(o)
    return out


def overdue_uids(plan: CarePlan, today: date | None = None) -> set[uuid.UUID]:
    """The uids of the plan's overdue objectives (none for a draft or an ended plan)."""
    return {o.uid for o in overdue_by_plan([plan], today).get(plan.pk, [])}


def mark_overdue(plans: list[CarePlan], today: date | None = None) -> list[CarePlan]:
    """Set `overdue_count` on each plan of a list page (for its Overdue tag)."""
    found = overdue_by_plan(plans, today)
    for plan in plans:
        plan.overdue_count = len(found.get(plan.pk, []))  # type: ignore[attr-defined]
    return plans


def overdue_objectives(today: date | None = None) -> list[Objective]:
    """Objectives of agreed, open plans whose date has passed (before today) and that are not achieved."""
    found = overdue_by_plan(CarePlan.objects.filter(status=PlanStatus.AGREED).only("pk", "status"), today)
    return [o for rows in found.values() for o in rows]


def children_with_overdue_objectives(today: date | None = None) -> set[int]:
    """Children with an agreed, open plan that has an objective past its date and not achieved
    (for rules such as "objective overdue while concerns continue")."""
    plan_ids = {o.version.plan_id for o in overdue_objectives(today)}
    return set(CarePlanChild.objects.filter(plan_id__in=plan_ids).values_list("child_id", flat=True))
