"""Read side: every list of escalations goes through `escalations_visible_to`, every detail through
`get_escalation_for_user` (404 for what the person may not see, the same as for what does not exist).

Seeing an escalation is not seeing the child: a child's identity is shown only to people who may
see that child (`children_visible_to`); `children_shown_to` gives the split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from safeguarding.agencies.enums import Role
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.core.access import get_or_404, is_active_person
from safeguarding.escalations.enums import OPEN_STATUSES, Action
from safeguarding.escalations.models import Escalation, EscalationStep
from safeguarding.escalations.permissions import MANAGEMENT_ROLES, is_business_unit
from safeguarding.escalations.workflow import allowed_actions

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def visible_escalation_condition(user: Person) -> Q:
    """People in the raising or receiving agency with a role the current stage involves, their managers,
    the people named on it or who acted on it, and the partnership roles of the stage."""
    acted = EscalationStep.objects.filter(escalation_id=OuterRef("pk"), actor_id=user.pk)
    q = Q(raised_by_id=user.pk) | Q(receiving_person_id=user.pk) | Q(Exists(acted))
    for membership in user.active_memberships:
        agency, role = membership.agency_id, membership.role
        if role in MANAGEMENT_ROLES or role == Role.AGENCY_SYSTEM:
            q |= Q(raising_agency_id=agency) | Q(receiving_agency_id=agency)
        else:
            q |= Q(raising_agency_id=agency, stage__raising_roles__contains=f",{role},")
            q |= Q(receiving_agency_id=agency, stage__receiving_roles__contains=f",{role},")
        q |= Q(stage__partnership_roles__contains=f",{role},")
    return q


def escalations_visible_to(user: Viewer) -> QuerySet[Escalation]:
    if not is_active_person(user):
        return Escalation.objects.none()
    if is_business_unit(user):  # the business unit follows every escalation
        return Escalation.objects.all()
    return Escalation.objects.filter(visible_escalation_condition(user))


def with_related(qs: QuerySet[Escalation]) -> QuerySet[Escalation]:
    return qs.select_related("raising_agency", "receiving_agency", "reason", "stage", "raised_by", "receiving_person")


def get_escalation_for_user(user: Viewer, pk: Any) -> Escalation:
    return get_or_404(with_related(escalations_visible_to(user)), pk)


@dataclass(frozen=True)
class ChildrenShown:
    visible: list[Child]
    hidden_count: int


def children_shown_to(user: Viewer, esc: Escalation) -> ChildrenShown:
    ids = list(esc.child_links.values_list("child_id", flat=True))
    visible = list(children_visible_to(user).filter(pk__in=ids).order_by("last_name", "first_name", "id"))
    return ChildrenShown(visible, len(ids) - len(visible))


def visible_child_ids(user: Viewer, escalations: list[Escalation]) -> dict[int, ChildrenShown]:
    """For a list page: per escalation, the children this person may see, in two queries."""
    from safeguarding.escalations.models import EscalationChild

    links = list(EscalationChild.objects.filter(escalation__in=[e.pk for e in escalations]))
    visible = {c.pk: c for c in children_visible_to(user).filter(pk__in={link.child_id for link in links})}
    out: dict[int, ChildrenShown] = {}
    for esc in escalations:
        own = [link.child_id for link in links if link.escalation_id == esc.pk]
        shown = [visible[c] for c in own if c in visible]
        out[esc.pk] = ChildrenShown(shown, len(own) - len(shown))
    return out


# Actions that mean "this is waiting for you" (not the ones anyone involved may take at any time).
WAITING_ACTIONS = frozenset({Action.RESPONDED, Action.OUTCOME_RECORDED, Action.ACCEPTED})


def know_who_acted(user: Viewer, escalations: list[Escalation]) -> list[Escalation]:
    """Answer the workflow's per-escalation questions for a whole list in two queries: whether this
    person has acted on each (`has_acted_on`) and each stage's next stage (`next_stage`). Without it a
    list asks both once or twice per escalation."""
    from safeguarding.escalations.models import EscalationStage

    if not escalations or not is_active_person(user):
        return escalations
    acted = set(
        EscalationStep.objects.filter(escalation__in=escalations, actor_id=user.pk).values_list(
            "escalation_id", flat=True
        )
    )
    stages = list(EscalationStage.objects.all())
    for esc in escalations:
        esc.__dict__["_acted_on_by"] = (user.pk, esc.pk in acted)
        esc.stage.know_next_stage(stages)
    return escalations


def awaiting_action_by(user: Viewer) -> list[tuple[Escalation, list[str]]]:
    """Open escalations waiting for this person, soonest deadline first, with what they can do."""
    rows = with_related(escalations_visible_to(user).filter(status__in=OPEN_STATUSES)).order_by("stage_due_at", "pk")
    out = []
    for esc in know_who_acted(user, list(rows[:500])):
        actions = allowed_actions(user, esc)
        if WAITING_ACTIONS & set(actions) or (Action.ESCALATED in actions and esc.is_overdue):
            out.append((esc, actions))
    return out


def evidence_shown_to(user: Person, esc: Escalation, children: list[Child]) -> tuple[list[Any], int]:
    """The linked chronology entries this person may see (about children they may see), and how many not."""
    from safeguarding.chronology.queries import events_for_child

    ids = set(esc.evidence.values_list("pk", flat=True))
    shown: dict[int, Any] = {}
    for child in children:
        for event in events_for_child(user, child).filter(pk__in=ids):
            shown.setdefault(event.pk, event)
    rows = sorted(shown.values(), key=lambda e: (e.occurred_on, e.pk))
    return rows, len(ids) - len(rows)
