"""Progress of a plan and of each of its recommendations: counts by status and RAG, the share
complete, how many actions are overdue (past their due date and not complete; due today is not
overdue yet), how many have a re-check due (complete, the re-check date arrived, no re-check that held)
and how many were re-checked and the change held. Pure functions over actions already read, so pages,
the API, committee reports and dashboards count the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from safeguarding.actionplans.enums import ActionRag, ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan


@dataclass(frozen=True)
class Progress:
    total: int
    by_status: dict[str, int]  # every ActionStatus value, 0 when none
    by_rag: dict[str, int]  # every ActionRag value, 0 when none
    complete: int
    overdue: int
    recheck_due: int = 0
    recheck_held: int = 0  # complete actions whose re-check found that the change held

    @property
    def percent_complete(self) -> int:
        """Whole per cent of actions complete (0 for a plan with no actions)."""
        return round(100 * self.complete / self.total) if self.total else 0

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        """(value, label, count) in the enum's order, for tables."""
        return [(s.value, s.label, self.by_status[s.value]) for s in ActionStatus]

    @property
    def rag_rows(self) -> list[tuple[str, str, int]]:
        return [(r.value, r.label, self.by_rag[r.value]) for r in ActionRag]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "complete": self.complete,
            "percent_complete": self.percent_complete,
            "overdue": self.overdue,
            "recheck_due": self.recheck_due,
            "recheck_held": self.recheck_held,
            "by_status": dict(self.by_status),
            "by_rag": dict(self.by_rag),
        }


def progress_of(actions: Iterable[Action], today: date | None = None) -> Progress:
    today = today or timezone.localdate()
    rows = list(actions)
    by_status = dict.fromkeys(ActionStatus.values, 0)
    by_rag = dict.fromkeys(ActionRag.values, 0)
    for action in rows:
        by_status[action.status] += 1
        by_rag[action.rag] += 1
    return Progress(
        total=len(rows),
        by_status=by_status,
        by_rag=by_rag,
        complete=sum(1 for a in rows if a.is_complete),
        overdue=sum(1 for a in rows if a.is_overdue(today)),
        recheck_due=sum(1 for a in rows if a.is_recheck_due(today)),
        recheck_held=sum(1 for a in rows if a.recheck_held is True),
    )


def plan_progress(plan: ActionPlan, today: date | None = None, actions: Sequence[Action] | None = None) -> Progress:
    """Progress of the whole plan (of `actions` when given: e.g. the ones a person may see)."""
    return progress_of(actions if actions is not None else plan.actions.all(), today)


@dataclass
class RecommendationProgress:
    recommendation: Any  # a ReviewRecommendation, or None for actions not tied to a recommendation
    actions: list[Action] = field(default_factory=list)
    progress: Progress | None = None

    @property
    def has_actions(self) -> bool:
        return bool(self.actions)


def recommendation_progress(
    plan: ActionPlan, today: date | None = None, actions: Sequence[Action] | None = None
) -> list[RecommendationProgress]:
    """One row per recommendation of the plan's review, in number order, each with its actions and
    progress, including recommendations with no action yet; then actions with no recommendation."""
    today = today or timezone.localdate()
    rows = list(actions if actions is not None else plan.actions.select_related("lead_agency", "lead_officer"))
    groups: list[RecommendationProgress] = []
    if plan.review_id is not None:
        for rec in plan.review.recommendations.select_related("addressee", "review").order_by("number"):  # type: ignore[union-attr]
            groups.append(RecommendationProgress(rec, [a for a in rows if a.recommendation_id == rec.pk]))
    loose = [a for a in rows if a.recommendation_id is None]
    if loose or plan.review_id is None:
        groups.append(RecommendationProgress(None, loose))
    for group in groups:
        group.progress = progress_of(group.actions, today)
    return groups
