"""After the notification and the rapid review: the copies of the notification, the safeguarding
partners informed, the referral for a national review and the national panel's response, closing a
national review, and reopening a closed case. The rules and their sources are in docs/reviews.md.

Each stage change goes through `workflow.apply_transition` (guard, version, history row, activity
log); each recording writes the activity log itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.reviews import clocks
from safeguarding.reviews.enums import Action, PanelResponse, ReviewKind
from safeguarding.reviews.models import Notification, PartnerInformed, PracticeReview, RapidReview, Review
from safeguarding.reviews.permissions import can_run_review
from safeguarding.reviews.services.common import locked, required_text, sync, today_of
from safeguarding.reviews.services.notification import copy_errors
from safeguarding.reviews.workflow import apply_transition, check, partners_to_inform, reopen_stage

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# The national panel's response → the stage change it makes.
RESPONSE_ACTIONS: dict[str, str] = {
    PanelResponse.ACCEPTED: Action.NATIONAL_REVIEW_ACCEPTED,
    PanelResponse.RETURNED: Action.RETURNED_FOR_LOCAL_REVIEW,
    PanelResponse.NO_REVIEW: Action.PANEL_NO_REVIEW,
}


def _not_future(errors: dict[str, str], name: str, day: date | None, today: date, message: str) -> None:
    if day is None:
        errors[name] = message
    elif day > today:
        errors[name] = "The date must be today or in the past."


# ---- the notification's copies and the people told -----------------------------------------------


@kernel.service
def record_notification_copies(
    *,
    actor: Person,
    review: Review,
    ofsted_sent_on: date | None = None,
    secretary_of_state_sent_on: date | None = None,
    at: datetime | None = None,
) -> Notification:
    """The dates the copies of the notification went to Ofsted and to the Secretary of State."""
    current = locked(review)
    kernel.require(can_run_review(actor, current), "Only the business unit or the review's chair can record this.")
    notification = current.notification
    if ofsted_sent_on is None and secretary_of_state_sent_on is None:
        raise ValidationError({"ofsted_sent_on": "Enter the date a copy was sent to Ofsted or the Secretary of State."})
    # Both are required for a looked-after child's death only at the step that sends the notification.
    errors = copy_errors(
        notification,
        today_of(at),
        ofsted_sent_on=ofsted_sent_on,
        secretary_of_state_sent_on=secretary_of_state_sent_on,
        require_looked_after=False,
    )
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[str | None]] = {}
    for name, day in (("ofsted_sent_on", ofsted_sent_on), ("secretary_of_state_sent_on", secretary_of_state_sent_on)):
        if day is not None:
            old = getattr(notification, name)
            changes[name] = [old.isoformat() if old else None, day.isoformat()]
            setattr(notification, name, day)
    notification.save(update_fields=list(changes))
    record_activity(actor=actor, action="review.notification_copies_recorded", target=current, changes=changes)
    return notification


@kernel.service
def record_partners_informed(
    *,
    actor: Person,
    review: Review,
    informed_on: date,
    agencies: Sequence[Agency] = (),
    harm_area: bool = False,
    at: datetime | None = None,
) -> list[PartnerInformed]:
    """The day the other statutory safeguarding partners (and, for harm outside England, the area where
    it happened) were told of the incident. One date per partner; recording a partner again corrects it."""
    current = locked(review)
    kernel.require(can_run_review(actor, current), "Only the business unit or the review's chair can record this.")
    notification = current.notification
    errors: dict[str, str] = {}
    if informed_on > today_of(at) or informed_on < notification.aware_on:
        errors["informed_on"] = "Enter a date between the date the local authority became aware and today."
    allowed = {a.pk for a in partners_to_inform()}
    if any(a.pk not in allowed for a in agencies):
        errors["agencies"] = "Choose only the statutory safeguarding partners."
    if harm_area and not notification.harm_outside_england:
        errors["harm_area"] = "The harm happened in England: there is no other area to inform."
    if not agencies and not harm_area:
        errors["agencies"] = "Choose who was informed."
    if errors:
        raise ValidationError(errors)
    rows = [
        PartnerInformed.objects.update_or_create(
            notification=notification, agency=agency, defaults={"informed_on": informed_on, "recorded_by": actor}
        )[0]
        for agency in agencies
    ]
    if harm_area:
        notification.harm_area_informed_on = informed_on
        notification.save(update_fields=["harm_area_informed_on"])
    record_activity(
        actor=actor,
        action="review.partners_informed",
        target=current,
        changes={
            "informed_on": [None, informed_on.isoformat()],
            "partners": [None, sorted(a.code for a in agencies)],
            "harm_area": [None, harm_area],
        },
    )
    return rows


# ---- a national review ---------------------------------------------------------------------------


@kernel.service
def refer_national_review(
    *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    """The rapid review recommends a national review: the case waits for the national panel's response
    (it does not close locally)."""
    current = locked(review, version)
    apply_transition(
        current,
        action=Action.NATIONAL_REVIEW_REFERRED,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=today_of(at),
    )
    return sync(review, current)


def _response_errors(
    response: str, responded_on: date | None, panel_words: str, reason: str, today: date, sent_on: date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if response not in RESPONSE_ACTIONS:
        errors["response"] = "Choose the national panel's response."
    _not_future(errors, "responded_on", responded_on, today, "Enter the date of the national panel's response.")
    if responded_on is not None and sent_on is not None and responded_on < sent_on and "responded_on" not in errors:
        errors["responded_on"] = "The response cannot be before the rapid review was sent to the national panel."
    required_text(errors, "panel_words", panel_words, "Enter the national panel's response in its own words.")
    if response == PanelResponse.NO_REVIEW:
        required_text(errors, "reason", reason, "Give the reasons the case closes with no review.")
    return errors


@kernel.service
def record_panel_response(
    *,
    actor: Person,
    review: Review,
    version: int,
    response: str,
    responded_on: date | None,
    panel_words: str,
    reason: str = "",
    at: datetime | None = None,
) -> Review:
    """The national panel's response: accepted (the case stays open as a national review), returned for
    a local review (a local child safeguarding practice review decided on the date of the response) or
    no review (the case closes, with reasons)."""
    current = locked(review, version)
    today = today_of(at)
    if response in RESPONSE_ACTIONS:
        check(RESPONSE_ACTIONS[response], actor, current, today)  # the rule before the details
    errors = _response_errors(response, responded_on, panel_words, reason, today, current.rapid_review.sent_to_panel_on)
    if errors:
        raise ValidationError(errors)
    assert responded_on is not None  # checked above
    action = RESPONSE_ACTIONS[response]
    RapidReview.objects.filter(review=current).update(
        panel_response=response, panel_responded_on=responded_on, panel_response_words=panel_words.strip()
    )
    apply_transition(
        current,
        action=action,
        actor=actor,
        version=version,
        reason=reason.strip() or panel_words.strip(),
        at=at,
        today=today,
        log_changes={"panel_response": [None, response], "responded_on": [None, responded_on.isoformat()]},
    )
    if response == PanelResponse.RETURNED:
        # As if the partners had decided a local review on the day of the Panel's response.
        PracticeReview.objects.create(
            review=current,
            kind=ReviewKind.LCSPR,
            decided_on=responded_on,
            target_publication_on=clocks.target_publication(responded_on),
        )
    return sync(review, current)


@kernel.service
def close_national_review(
    *,
    actor: Person,
    review: Review,
    version: int,
    published_on: date | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Review:
    """A national review ends locally when its report is published, or when the partnership closes it
    (with a reason)."""
    current = locked(review, version)
    check(Action.NATIONAL_REVIEW_CLOSED, actor, current, today_of(at))
    errors: dict[str, str] = {}
    if published_on is not None and published_on > today_of(at):
        errors["published_on"] = "The date must be today or in the past."
    if published_on is None and not reason.strip():
        errors["reason"] = "Enter the date the national review was published, or give the reason for closing it."
    if errors:
        raise ValidationError(errors)
    if published_on is not None:
        RapidReview.objects.filter(review=current).update(national_published_on=published_on)
    note = reason.strip() or f"National review published {published_on:%d/%m/%Y}."
    apply_transition(
        current,
        action=Action.NATIONAL_REVIEW_CLOSED,
        actor=actor,
        version=version,
        reason=note,
        at=at,
        today=today_of(at),
        log_changes={"national_published_on": [None, published_on.isoformat() if published_on else None]},
    )
    return sync(review, current)


# ---- reopening -----------------------------------------------------------------------------------


@kernel.service
def reopen_review(*, actor: Person, review: Review, version: int, reason: str, at: datetime | None = None) -> Review:
    """Reopen a closed case (the business unit, with a reason): it returns to the stage it closed from
    (`workflow.REOPEN_TO`). The history row and the activity log keep who, when and why."""
    current = locked(review, version)
    check(Action.REOPENED, actor, current, today_of(at))
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for reopening the review."})
    target = reopen_stage(current)
    apply_transition(
        current,
        action=Action.REOPENED,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=today_of(at),
        target=target,
        log_changes={"reason": [None, reason.strip()]},
    )
    return sync(review, current)
