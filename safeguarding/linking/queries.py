"""Read side of linking: the queue, one pair side by side, merges. Only data stewards see any of it
(the pages ask `linking.decide_match`; for anyone else every page answers 404, like a pair that does
not exist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.core.access import require_perm
from safeguarding.linking import permissions  # noqa: F401 — registers the rules asked here
from safeguarding.linking.models import ChildMerge, PossibleMatch

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def pending_matches(user: Viewer) -> QuerySet[PossibleMatch]:
    require_perm(user, "linking.decide_match")
    return PossibleMatch.objects.pending().select_related("child_a", "child_b").order_by("-score", "id")


def get_match_for_steward(user: Viewer, pk: Any) -> PossibleMatch:
    from safeguarding.core.access import get_or_404

    require_perm(user, "linking.decide_match")

    return get_or_404(PossibleMatch.objects.select_related("child_a", "child_b", "decided_by"), pk)


def merges_for_steward(user: Viewer) -> QuerySet[ChildMerge]:
    require_perm(user, "linking.decide_match")
    return ChildMerge.objects.select_related("kept", "merged", "merged_by", "unmerged_by")


def get_merge_for_steward(user: Viewer, pk: Any) -> ChildMerge:
    from safeguarding.core.access import get_or_404

    require_perm(user, "linking.decide_match")

    return get_or_404(merges_for_steward(user), pk)


@dataclass
class RecordSide:
    """What a data steward sees of one record: identifying fields and which agencies hold it —
    never the entries themselves."""

    child: Child
    references: list[tuple[str, str]]
    agencies: list[Agency]


def record_side(child: Child) -> RecordSide:
    references = sorted(child.agency_references.values_list("agency__name", "reference"))  # type: ignore[attr-defined]
    agency_ids = set(child.involvements.values_list("agency_id", flat=True))
    agency_ids |= set(child.event_links.values_list("agency_id", flat=True).distinct())  # type: ignore[attr-defined]
    agency_ids |= set(child.agency_references.values_list("agency_id", flat=True))  # type: ignore[attr-defined]
    return RecordSide(child, references, list(Agency.objects.filter(pk__in=agency_ids).order_by("name")))
