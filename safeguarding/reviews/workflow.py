"""A review's stages as a `kernel.Workflow`: the transition table, its guards and what each step needs
first, and the one function that changes a review's stage (with its history row).

The table registers a `rules` permission per transition (`reviews.notification_sent`, …) whose guard
is `permissions.can_run_review`; `blocker` adds the stage's own readiness (the panel met, the family
saw the report, …) so the page can say what is still missing. Who may do what is in `permissions.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, PartnerStatus
from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.reviews import publication
from safeguarding.reviews.enums import Action, MemberRole, Recommendation, Stage
from safeguarding.reviews.models import Review, StageChange

# Re-exported: the API and other modules import the rules and errors from here.
from safeguarding.reviews.permissions import (  # noqa: F401
    NOTIFYING_ROLES,
    REQUEST_ROLES,
    can_monitor,
    can_notify,
    can_run_review,
    can_see_review,
    can_use_reviews,
    can_write_review,
    is_business_unit,
    lead_agency_ids,
    member_roles,
    notifying_agencies,
)

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

# The kernel's errors, under the names importers use (the API maps them: 403, 409).
ReviewError = kernel.ServiceError
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion
STALE_MESSAGE = kernel.stale_message("review")
NOUN = "review"


def statutory_partners() -> list[Agency]:
    return list(Agency.objects.active().filter(partner_status=PartnerStatus.STATUTORY).order_by("name"))


def partners_to_inform() -> list[Agency]:
    """The other safeguarding partners the local authority tells of a notified incident: the statutory
    partners except its own children's social care, which notifies (Working Together 2023, ch. 5)."""
    return [a for a in statutory_partners() if a.kind != AgencyKind.CHILDRENS_SOCIAL_CARE]


# ---- what each step needs first ------------------------------------------------------------------

Readiness = Callable[[Review, date], str | None]


def _rapid_review_ready(review: Review, today: date) -> str | None:
    rapid = review.rapid_review
    if not rapid.panel_met_on:
        return "Record the rapid review panel meeting first."
    if not rapid.summary.strip() or not rapid.recommendation:
        return "Record the rapid review's summary and recommendation first."
    partners = {a.pk for a in statutory_partners()}
    signed = set(rapid.sign_offs.values_list("agency_id", flat=True))
    if not partners or not partners <= signed:
        return "Each statutory safeguarding partner must sign off the rapid review before it is sent."
    return None


def _draft_ready(review: Review, today: date) -> str | None:
    practice = review.practice_review
    if not practice.terms_of_reference.strip():
        return "Record the terms of reference first."
    if not review.members.filter(role=MemberRole.REVIEWER).exists():
        return "Name the independent reviewer first."
    if not practice.drafts.exists():
        return "Upload the draft report first."
    return None


def _family_ready(review: Review, today: date) -> str | None:
    if not review.findings.exists() or not review.recommendations.exists():
        return "Record the review's findings and recommendations before the draft goes to the family."
    return None


def _final_ready(review: Review, today: date) -> str | None:
    if not review.practice_review.family_contacts.filter(report_shared_on__isnull=False).exists():
        return "Record when the report was shared with the family first."
    return None


def _publish_ready(review: Review, today: date) -> str | None:
    """Not while deferred. The copies to the Panel and the Secretary of State (7 working days before the
    date) and the identifier scan are checked against the date typed (`practice.publish_review`), so the
    form says exactly what is missing."""
    return publication.deferral_problem(review.practice_review)


def _close_ready(review: Review, today: date) -> str | None:
    practice = review.practice_review
    if not publication.is_statutory(practice):
        return None  # another learning review closes when the partnership decides
    if practice.may_come_down_on is None or today < practice.may_come_down_on:
        return "A published review is closed once its report may come down (at least 12 months online)."
    return None


def _close_unpublished_ready(review: Review, today: date) -> str | None:
    if publication.is_statutory(review.practice_review):
        return (
            "A statutory review must be published: defer publication, or publish the learning only, instead of "
            "closing it unpublished."
        )
    return None


def _always(review: Review, today: date) -> str | None:
    return None


def _recommended_national(review: Review) -> bool:
    return review.rapid_review.recommendation == Recommendation.NATIONAL_REVIEW


def _referral_ready(review: Review, today: date) -> str | None:
    if not _recommended_national(review):
        return "Only a rapid review that recommends a national review is referred to the national panel for one."
    return None


def _close_at_decision_ready(review: Review, today: date) -> str | None:
    # A national review is the national panel's decision (Working Together 2023, ch. 5): the case waits
    # for its response instead of closing locally.
    if _recommended_national(review) and not review.rapid_review.panel_response:
        return (
            "The rapid review recommended a national review: refer the case to the national panel and record "
            "the Panel's response, instead of closing it here."
        )
    return None


# Where a reopened case goes: back to the stage it closed from, except a case the national panel
# declined (closed from awaiting its response), which goes back to the partners' decision: the Panel
# has answered, and what is left to decide is local (a local review, or none).
REOPEN_TO: dict[str, str] = {
    Stage.DECISION: Stage.DECISION,
    Stage.AWAITING_PANEL: Stage.DECISION,
    Stage.NATIONAL_REVIEW: Stage.NATIONAL_REVIEW,
    Stage.PUBLISHED: Stage.PUBLISHED,
    # Another learning review closed without publication goes back to where it was.
    **{stage: stage for stage in (Stage.IN_PROGRESS, Stage.DRAFT, Stage.WITH_FAMILY, Stage.FINAL)},
}


def reopen_stage(review: Review) -> str | None:
    """The stage a closed review reopens at (None when its history does not say where it closed from)."""
    closing = review.stage_changes.filter(to_stage=Stage.CLOSED).order_by("-at", "-id").first()
    return REOPEN_TO.get(closing.from_stage) if closing is not None else None


def _reopen_ready(review: Review, today: date) -> str | None:
    if reopen_stage(review) is None:
        return "The history does not show the stage this review closed from, so it cannot be reopened here."
    return None


def _runs_learning_review(user: Viewer, review: Review) -> bool:
    """Closing unpublished is offered for another learning review only (a statutory one is published)."""
    return can_run_review(user, review) and not publication.is_statutory(review.practice_review)


# ---- the table -----------------------------------------------------------------------------------


def _step(action: Action, label: str, source: Stage, target: Stage, not_allowed: str) -> kernel.Transition:
    """Every stage change is the business unit's or the chair's (`can_run_review`)."""
    return kernel.Transition(action, label, frozenset({source}), target, not_allowed, who=can_run_review)


_RUN = "Only the business unit or the review's chair can"
_PANEL = f"{_RUN} record the national panel's response."

WORKFLOW = kernel.Workflow(
    name="review",
    noun=NOUN,
    status_field="stage",
    app_label="reviews",
    transitions=[
        _step(
            Action.NOTIFICATION_SENT,
            "Record the notification as sent",
            Stage.NOTIFIED,
            Stage.RAPID_REVIEW,
            f"{_RUN} record the notification as sent.",
        ),
        _step(
            Action.RAPID_REVIEW_SENT,
            "Send the rapid review to the national panel",
            Stage.RAPID_REVIEW,
            Stage.DECISION,
            f"{_RUN} send the rapid review.",
        ),
        _step(
            Action.PRACTICE_REVIEW_OPENED,
            "Decide: hold a practice review",
            Stage.DECISION,
            Stage.IN_PROGRESS,
            f"{_RUN} record the decision.",
        ),
        _step(
            Action.CLOSED_AT_DECISION,
            "Decide: no local practice review",
            Stage.DECISION,
            Stage.CLOSED,
            f"{_RUN} record the decision.",
        ),
        _step(
            Action.DRAFT_RECEIVED, "Move to draft report", Stage.IN_PROGRESS, Stage.DRAFT, f"{_RUN} move the review on."
        ),
        _step(
            Action.SHARED_WITH_FAMILY,
            "Share the draft with the family",
            Stage.DRAFT,
            Stage.WITH_FAMILY,
            f"{_RUN} move the review on.",
        ),
        _step(Action.FINALISED, "Finalise the report", Stage.WITH_FAMILY, Stage.FINAL, f"{_RUN} move the review on."),
        _step(Action.PUBLISHED, "Publish", Stage.FINAL, Stage.PUBLISHED, f"{_RUN} publish the review."),
        _step(Action.CLOSED, "Close the review", Stage.PUBLISHED, Stage.CLOSED, f"{_RUN} close the review."),
        _step(
            Action.NATIONAL_REVIEW_REFERRED,
            "Decide: refer for a national review",
            Stage.DECISION,
            Stage.AWAITING_PANEL,
            f"{_RUN} record the decision.",
        ),
        _step(
            Action.NATIONAL_REVIEW_ACCEPTED,
            "National panel: accepted for a national review",
            Stage.AWAITING_PANEL,
            Stage.NATIONAL_REVIEW,
            _PANEL,
        ),
        _step(
            Action.RETURNED_FOR_LOCAL_REVIEW,
            "National panel: returned for a local review",
            Stage.AWAITING_PANEL,
            Stage.IN_PROGRESS,
            _PANEL,
        ),
        _step(Action.PANEL_NO_REVIEW, "National panel: no review", Stage.AWAITING_PANEL, Stage.CLOSED, _PANEL),
        _step(
            Action.NATIONAL_REVIEW_CLOSED,
            "Close the national review",
            Stage.NATIONAL_REVIEW,
            Stage.CLOSED,
            f"{_RUN} close the national review.",
        ),
        # Back to the stage it closed from (`reopen_stage`): the business unit only, with a reason.
        kernel.Transition(
            Action.REOPENED,
            "Reopen the review",
            frozenset({Stage.CLOSED}),
            None,
            "Only the business unit can reopen a closed review.",
            who=lambda user, review: is_business_unit(user),
        ),
        kernel.Transition(
            Action.CLOSED_UNPUBLISHED,
            "Close without publishing",
            frozenset(publication.BEFORE_PUBLICATION),
            Stage.CLOSED,
            "Only another learning review closes without publication, by the business unit or the review's chair.",
            who=_runs_learning_review,
        ),
    ],
)
TRANSITIONS = WORKFLOW.transitions

# What must be true before each step, besides who and the stage (None: nothing more).
READY: dict[str, Readiness] = {
    Action.RAPID_REVIEW_SENT: _rapid_review_ready,
    Action.DRAFT_RECEIVED: _draft_ready,
    Action.SHARED_WITH_FAMILY: _family_ready,
    Action.FINALISED: _final_ready,
    Action.PUBLISHED: _publish_ready,
    Action.CLOSED: _close_ready,
    Action.CLOSED_AT_DECISION: _close_at_decision_ready,
    Action.NATIONAL_REVIEW_REFERRED: _referral_ready,
    Action.REOPENED: _reopen_ready,
    Action.CLOSED_UNPUBLISHED: _close_unpublished_ready,
}

# Steps with their own entry point (service, page and API endpoint), because they need more than the
# generic stage change carries: the national panel's response, closing a national review, reopening.
OWN_ENTRY_ACTIONS: frozenset[str] = frozenset(
    {
        Action.NATIONAL_REVIEW_ACCEPTED,
        Action.RETURNED_FOR_LOCAL_REVIEW,
        Action.PANEL_NO_REVIEW,
        Action.NATIONAL_REVIEW_CLOSED,
        Action.REOPENED,
    }
)


def blocker(action: str, user: Viewer, review: Review, today: date | None = None) -> str | None:
    """Why `user` may not take `action` now (None when they may)."""
    transition = WORKFLOW[action]
    if review.stage not in transition.sources:
        return f"This review is at the {review.get_stage_display().lower()} stage, so this cannot be done now."
    if not WORKFLOW.can(action, user, review):
        return transition.not_allowed
    return READY.get(action, _always)(review, today or timezone.localdate())


def can(action: str, user: Viewer, review: Review, today: date | None = None) -> bool:
    return blocker(action, user, review, today) is None


def check(action: str, user: Viewer, review: Review, today: date | None = None) -> None:
    reason = blocker(action, user, review, today)
    if reason is not None:
        raise NotAllowed(reason)


def action_to(review: Review, to_stage: str) -> str | None:
    """The transition that moves `review` from its current stage to `to_stage` (None if there is none)."""
    for t in TRANSITIONS.values():
        if review.stage in t.sources and t.target == to_stage and t.action not in OWN_ENTRY_ACTIONS:
            return t.action
    return None


def next_stages(review: Review) -> list[str]:
    """The stages the generic stage change can move the review to from where it is now."""
    return [
        str(t.target)
        for t in TRANSITIONS.values()
        if review.stage in t.sources and t.action not in OWN_ENTRY_ACTIONS and t.target is not None
    ]


def available_actions(user: Viewer, review: Review) -> list[tuple[str, str, str | None]]:
    """(action, label, blocker) for the transitions out of the current stage this person could take."""
    return [
        (action, WORKFLOW[action].label, blocker(action, user, review)) for action in WORKFLOW.allowed(user, review)
    ]


# ---- the history and the change ------------------------------------------------------------------


def acting_agency_id(user: Viewer) -> int | None:
    return user.primary_agency.pk if is_active_person(user) and user.primary_agency else None


def write_history(
    review: Review, *, action: str, from_stage: str, to_stage: str, actor: Person, at: datetime, reason: str = ""
) -> StageChange:
    """The review's history row for one step (the transitions, and the review's opening)."""
    return StageChange.objects.create(
        review=review,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor if is_active_person(actor) else None,
        actor_agency_id=acting_agency_id(actor),
        reason=reason,
        at=at,
    )


def apply_transition(
    review: Review,
    *,
    action: str,
    actor: Person,
    version: int,
    reason: str = "",
    at: datetime | None = None,
    today: date | None = None,
    target: str | None = None,
    log_changes: dict[str, object] | None = None,
) -> StageChange:
    """Move the review along `action` if the guard and the step's readiness allow it and nobody changed
    it since `version`; write the history row and the activity log. `target`: the stage of a step whose
    table target is computed (reopening). Call inside a service."""
    check(action, actor, review, today)
    moment = kernel.now(at)
    steps: list[StageChange] = []
    WORKFLOW.apply(
        review,
        action=action,
        actor=actor,
        version=version,
        target=target,
        log_changes=log_changes,
        fields={"stage_changed_at": moment},
        history=lambda moved: steps.append(
            write_history(
                review,
                action=action,
                from_stage=moved.from_status,
                to_stage=moved.to_status,
                actor=actor,
                at=moment,
                reason=reason,
            )
        ),
    )
    return steps[0]
