"""Who may see and do what on a review (declared once), the stage transition table with its guards,
and the one function that changes a review's stage.

Pages, the API, templates (through the `rules` permissions registered below) and the services ask the
same predicates, so a button is shown exactly when the action would be allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import rules
from django.db.models import F
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.core.services import record_activity
from safeguarding.reviews.enums import Action, MemberRole, Stage
from safeguarding.reviews.models import Review, StageChange

# People in the local authority who may notify a serious incident (besides the business unit).
NOTIFYING_ROLES = frozenset({Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM})
# Who answers an agency's review requests: its safeguarding lead, or its system through the API.
REQUEST_ROLES = frozenset({Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM})


class ReviewError(kernel.ServiceError):
    """A change that cannot happen; the message says why and what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(ReviewError, kernel.NotAllowed):
    pass


class StaleVersion(ReviewError, kernel.StaleVersion):
    pass


STALE_MESSAGE = (
    "Someone else changed this review while you were working on it, so your change was not saved. "
    "Read the review again, then make your change if it is still needed."
)


# ---- who -----------------------------------------------------------------------------------------


def is_business_unit(user: Any) -> bool:
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT)


def member_roles(user: Any, review: Review) -> set[str]:
    if not is_active_person(user) or user.is_system:
        return set()
    cache = getattr(review, "_member_roles", None)
    if cache is None:
        cache = {}
        review._member_roles = cache  # type: ignore[attr-defined]
    if user.pk not in cache:
        cache[user.pk] = set(review.members.filter(user_id=user.pk).values_list("role", flat=True))
    return set(cache[user.pk])


def can_see_review(user: Any, review: Review) -> bool:
    """Review material: the business unit, and the review's panel members, reviewers and chair."""
    return is_business_unit(user) or bool(member_roles(user, review))


def can_run_review(user: Any, review: Review) -> bool:
    """Move the stage, send requests, record the panel, sign-offs and dates: the business unit and the chair."""
    return is_business_unit(user) or MemberRole.CHAIR in member_roles(user, review)


def can_write_review(user: Any, review: Review) -> bool:
    """Findings, recommendations, drafts, events, family engagement: also the independent reviewer."""
    return can_run_review(user, review) or MemberRole.REVIEWER in member_roles(user, review)


def can_monitor(user: Any) -> bool:
    """The monitoring page (every review's stage and timeliness, no material): business unit, scrutineers."""
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT, Role.SCRUTINEER)


def notifying_agencies(user: Any) -> list[Agency]:
    """Statutory children's social care agencies this person (or system) may notify for."""
    if not is_active_person(user):
        return []
    ids = {m.agency_id for m in user.active_memberships if m.role in NOTIFYING_ROLES}
    return list(
        Agency.objects.filter(
            pk__in=ids, kind=AgencyKind.CHILDRENS_SOCIAL_CARE, partner_status=PartnerStatus.STATUTORY, is_active=True
        )
    )


def can_notify(user: Any) -> bool:
    return is_business_unit(user) or bool(notifying_agencies(user))


def lead_agency_ids(user: Any) -> set[int]:
    """Agencies whose review requests this person (or agency system) answers."""
    return user.agency_ids_with_role(REQUEST_ROLES) if is_active_person(user) else set()


def can_use_reviews(user: Any) -> bool:
    """Whether "Case reviews" appears in the navigation."""
    if not is_active_person(user) or user.is_system:
        return False
    return can_monitor(user) or can_notify(user) or bool(lead_agency_ids(user)) or user.review_memberships.exists()


# ---- transitions -------------------------------------------------------------------------------


def statutory_partners() -> list[Agency]:
    return list(Agency.objects.active().filter(partner_status=PartnerStatus.STATUTORY).order_by("name"))


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
    practice = review.practice_review
    if not practice.sent_to_panel_on or not practice.sent_to_secretary_of_state_on:
        return "Record when the report was sent to the national panel and the Secretary of State first."
    return None


def _close_ready(review: Review, today: date) -> str | None:
    practice = review.practice_review
    if practice.may_come_down_on is None or today < practice.may_come_down_on:
        return "A published review is closed once its report may come down (at least 12 months online)."
    return None


def _always(review: Review, today: date) -> str | None:
    return None


@dataclass(frozen=True)
class Transition:
    action: Action
    label: str
    source: Stage
    target: Stage
    who: Callable[[Any, Review], bool]
    ready: Callable[[Review, date], str | None]
    not_allowed: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.NOTIFICATION_SENT,
            "Record the notification as sent",
            Stage.NOTIFIED,
            Stage.RAPID_REVIEW,
            can_run_review,
            _always,
            "Only the business unit or the review's chair can record the notification as sent.",
        ),
        Transition(
            Action.RAPID_REVIEW_SENT,
            "Send the rapid review to the national panel",
            Stage.RAPID_REVIEW,
            Stage.DECISION,
            can_run_review,
            _rapid_review_ready,
            "Only the business unit or the review's chair can send the rapid review.",
        ),
        Transition(
            Action.PRACTICE_REVIEW_OPENED,
            "Decide: hold a practice review",
            Stage.DECISION,
            Stage.IN_PROGRESS,
            can_run_review,
            _always,
            "Only the business unit or the review's chair can record the decision.",
        ),
        Transition(
            Action.CLOSED_AT_DECISION,
            "Decide: no local practice review",
            Stage.DECISION,
            Stage.CLOSED,
            can_run_review,
            _always,
            "Only the business unit or the review's chair can record the decision.",
        ),
        Transition(
            Action.DRAFT_RECEIVED,
            "Move to draft report",
            Stage.IN_PROGRESS,
            Stage.DRAFT,
            can_run_review,
            _draft_ready,
            "Only the business unit or the review's chair can move the review on.",
        ),
        Transition(
            Action.SHARED_WITH_FAMILY,
            "Share the draft with the family",
            Stage.DRAFT,
            Stage.WITH_FAMILY,
            can_run_review,
            _family_ready,
            "Only the business unit or the review's chair can move the review on.",
        ),
        Transition(
            Action.FINALISED,
            "Finalise the report",
            Stage.WITH_FAMILY,
            Stage.FINAL,
            can_run_review,
            _final_ready,
            "Only the business unit or the review's chair can move the review on.",
        ),
        Transition(
            Action.PUBLISHED,
            "Publish",
            Stage.FINAL,
            Stage.PUBLISHED,
            can_run_review,
            _publish_ready,
            "Only the business unit or the review's chair can publish the review.",
        ),
        Transition(
            Action.CLOSED,
            "Close the review",
            Stage.PUBLISHED,
            Stage.CLOSED,
            can_run_review,
            _close_ready,
            "Only the business unit or the review's chair can close the review.",
        ),
    )
}


def blocker(action: str, user: Any, review: Review, today: date | None = None) -> str | None:
    """Why `user` may not take `action` now (None when they may)."""
    transition = TRANSITIONS[action]
    if review.stage != transition.source:
        return f"This review is at the {review.get_stage_display().lower()} stage, so this cannot be done now."
    if not transition.who(user, review):
        return transition.not_allowed
    return transition.ready(review, today or timezone.localdate())


def can(action: str, user: Any, review: Review, today: date | None = None) -> bool:
    return blocker(action, user, review, today) is None


def check(action: str, user: Any, review: Review, today: date | None = None) -> None:
    reason = blocker(action, user, review, today)
    if reason is not None:
        raise NotAllowed(reason)


def action_to(review: Review, to_stage: str) -> str | None:
    """The transition that moves `review` from its current stage to `to_stage` (None if there is none)."""
    for t in TRANSITIONS.values():
        if t.source == review.stage and t.target == to_stage:
            return t.action
    return None


def next_stages(review: Review) -> list[str]:
    """The stages the review can move to from where it is now."""
    return [t.target for t in TRANSITIONS.values() if t.source == review.stage]


def available_actions(user: Any, review: Review) -> list[tuple[str, str, str | None]]:
    """(action, label, blocker) for the transitions out of the current stage this person could take."""
    return [
        (t.action, t.label, blocker(t.action, user, review))
        for t in TRANSITIONS.values()
        if t.source == review.stage and t.who(user, review)
    ]


def acting_agency_id(user: Any) -> int | None:
    return user.primary_agency.pk if is_active_person(user) and user.primary_agency else None


def apply_transition(
    review: Review,
    *,
    action: str,
    actor: Any,
    version: int,
    reason: str = "",
    at: datetime | None = None,
    today: date | None = None,
) -> StageChange:
    """Move the review along `action` if the guard allows it and nobody changed it since `version`;
    write the history row and the activity log. Call inside a transaction."""
    check(action, actor, review, today)
    transition = TRANSITIONS[action]
    now = at or timezone.now()
    # The conditional UPDATE is the real check: two processes cannot both move from the same version.
    updated = Review.objects.filter(pk=review.pk, version=version, stage=transition.source).update(
        stage=transition.target, stage_changed_at=now, version=F("version") + 1
    )
    if not updated:
        raise StaleVersion(STALE_MESSAGE)
    review.stage, review.stage_changed_at, review.version = transition.target, now, version + 1
    step = StageChange.objects.create(
        review=review,
        action=action,
        from_stage=transition.source,
        to_stage=transition.target,
        actor=actor if is_active_person(actor) else None,
        actor_agency_id=acting_agency_id(actor),
        reason=reason,
        at=now,
    )
    record_activity(
        actor=actor, action=f"review.{action}", target=review, changes={"stage": [transition.source, transition.target]}
    )
    return step


# Permissions for templates and `user.has_perm`: the same predicates.
rules.add_perm("reviews.view_review", rules.predicate(lambda u, r: r is not None and can_see_review(u, r)))
rules.add_perm("reviews.run_review", rules.predicate(lambda u, r: r is not None and can_run_review(u, r)))
rules.add_perm("reviews.write_review", rules.predicate(lambda u, r: r is not None and can_write_review(u, r)))
rules.add_perm("reviews.monitor", rules.predicate(can_monitor))
rules.add_perm("reviews.notify", rules.predicate(can_notify))
