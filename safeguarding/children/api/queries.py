"""Read side of the API: gathers a child's record for the detail endpoint.

Access is decided before these run, by `children.queries` (`get_child_for_user`); the parts of
the record that have their own rules (involvements) go through their own helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Prefetch

from safeguarding.children.enums import CHILD_TO_CHILD_KINDS
from safeguarding.children.models import Adult, Child, HouseholdMember
from safeguarding.children.queries import involvements_visible_to, withhold_unseen_children

if TYPE_CHECKING:
    from safeguarding.core.types import Person


@dataclass(frozen=True)
class RelationshipRow:
    kind: str
    kind_display: str
    person: Child | Adult
    parental_responsibility: bool
    lives_with_child: bool
    notes: str


def households_of(child: Child) -> list[HouseholdMember]:
    """The child's household links, current first, each with everyone recorded in that household."""
    members = HouseholdMember.objects.select_related("child", "adult").order_by("moved_in", "id")
    return list(
        child.household_links.select_related("household")
        .prefetch_related(Prefetch("household__members", queryset=members))
        .order_by(F("moved_out").desc(nulls_first=True), F("moved_in").desc(nulls_last=True), "id")
    )


def relationships_of(child: Child) -> list[RelationshipRow]:
    """Relationships recorded on the child, and sibling links recorded on the other child."""
    rows = [
        RelationshipRow(
            kind=rel.kind,
            kind_display=rel.get_kind_display(),
            person=rel.person,
            parental_responsibility=rel.parental_responsibility,
            lives_with_child=rel.lives_with_child,
            notes=rel.notes,
        )
        for rel in child.relationships.select_related("adult", "other_child").order_by("id")
    ]
    reverse = child.reverse_relationships.filter(kind__in=CHILD_TO_CHILD_KINDS).select_related("child").order_by("id")
    rows.extend(
        RelationshipRow(
            kind=rel.kind,
            kind_display=rel.get_kind_display(),
            person=rel.child,
            parental_responsibility=rel.parental_responsibility,
            lives_with_child=rel.lives_with_child,
            notes=rel.notes,
        )
        for rel in reverse
    )
    return rows


def load_child_record(user: Person, child: Child) -> Child:
    """Attach the parts of the record that `ChildDetailSerializer` shows (as `api_*` attributes)."""
    households = households_of(child)
    relationships = relationships_of(child)
    people = [m.person for link in households for m in link.household.members.all() if m.child_id != child.pk]
    withhold_unseen_children(user, [*people, *(row.person for row in relationships)])
    setattr(child, "api_households", households)  # noqa: B010 - attributes not on the model
    setattr(child, "api_relationships", relationships)  # noqa: B010
    setattr(child, "api_involvements", involvements_visible_to(user, child))  # noqa: B010
    return child
