"""From a serious incident to the partners' decision: the notification, the rapid review (panel,
sign-offs, sending it), and the decision to hold a practice review or not; also a review recorded
from before this system."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from safeguarding.agencies.models import Agency
from safeguarding.children.queries import children_visible_to
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.reviews import clocks, regime
from safeguarding.reviews.enums import LOCAL_REVIEW_DECISIONS, Action, Harm, Recommendation, ReviewKind, Stage
from safeguarding.reviews.models import (
    Notification,
    PracticeReview,
    RapidReview,
    Review,
    ReviewChild,
    SignOff,
)
from safeguarding.reviews.permissions import can_notify, can_run_review, can_sign_off_for, is_business_unit
from safeguarding.reviews.services.common import ChildInput, locked, required_text, sync, today_of
from safeguarding.reviews.workflow import apply_transition, statutory_partners, write_history

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _children_errors(actor: Person, children: Sequence[ChildInput], pseudonyms: list[str]) -> str | None:
    if not children:
        return "Add at least one child the notification is about."
    if any(not p for p in pseudonyms):
        return "Give each child the pseudonym the review will use, for example 'Child A'."
    if len(set(pseudonyms)) != len(pseudonyms) or len({c.child.pk for c in children}) != len(children):
        return "Give each child once, with a different pseudonym."
    if not is_business_unit(actor):
        ids = {c.child.pk for c in children}
        if children_visible_to(actor).filter(pk__in=ids).count() != len(ids):
            return "Choose only children your agency works with."
    return None


NOT_NOTIFIABLE = (
    "This is not a notifiable incident. A serious child safeguarding case is notified only when abuse or "
    "neglect is known or suspected (Children Act 2004 s.16C(1)); the one exception is the death of a "
    "looked-after child, which is notified whatever the cause. If abuse or neglect is suspected, answer yes."
)


def _notifiable_errors(
    errors: dict[str, str], *, harm: str, abuse_or_neglect: bool, looked_after: bool, outside: bool, location: str
) -> None:
    """The combinations the law allows (docs/reviews.md, "Notification")."""
    if harm not in Harm.values:
        errors["harm"] = "Choose whether the child died or was seriously harmed."
    elif not abuse_or_neglect and not (looked_after and harm == Harm.DEATH):
        errors["abuse_or_neglect"] = NOT_NOTIFIABLE
    if outside and not location.strip():
        errors["harm_location"] = "Say where outside England the harm happened, for example 'Cardiff, Wales'."
    if not outside and location.strip():
        errors["harm_location"] = "Leave this blank when the harm happened in England, or answer yes above."


@kernel.service
def notify_serious_incident(
    *,
    actor: Person,
    incident_on: date,
    aware_on: date,
    harm: str,
    summary: str,
    children: Sequence[ChildInput],
    title: str = "",
    abuse_or_neglect: bool = True,
    looked_after: bool = False,
    harm_outside_england: bool = False,
    harm_location: str = "",
    at: datetime | None = None,
) -> Review:
    """Record a serious incident notification and open its rapid review (both clocks start).

    `abuse_or_neglect` defaults to yes for callers written before it was asked (demo data); the page and
    the API always ask it."""
    kernel.require(can_notify(actor), "Only the business unit or the local authority's senior managers can notify.")
    today = today_of(at)
    errors: dict[str, str] = {}
    summary = required_text(errors, "summary", summary, "Describe what happened.")
    _notifiable_errors(
        errors,
        harm=harm,
        abuse_or_neglect=abuse_or_neglect,
        looked_after=looked_after,
        outside=harm_outside_england,
        location=harm_location,
    )
    if aware_on < incident_on:
        errors["aware_on"] = "The date the local authority became aware must be on or after the incident."
    if aware_on > today or incident_on > today:
        errors["aware_on" if aware_on > today else "incident_on"] = "The date must be today or in the past."
    pseudonyms = [c.pseudonym.strip() for c in children]
    children_error = _children_errors(actor, children, pseudonyms)
    if children_error:
        errors["children"] = children_error
    if errors:
        raise ValidationError(errors)
    now = kernel.now(at)
    review = Review.objects.create(
        title=title.strip() or " and ".join(pseudonyms),
        created_by=actor,
        created_at=now,
        stage=Stage.NOTIFIED,
        stage_changed_at=now,
    )
    ReviewChild.objects.bulk_create(
        [ReviewChild(review=review, child=c.child, pseudonym=p) for c, p in zip(children, pseudonyms, strict=True)]
    )
    Notification.objects.create(
        review=review,
        incident_on=incident_on,
        aware_on=aware_on,
        harm=harm,
        summary=summary,
        abuse_or_neglect=abuse_or_neglect,
        looked_after=looked_after,
        harm_outside_england=harm_outside_england,
        harm_location=harm_location.strip(),
        due_on=clocks.notification_due(aware_on),
        notified_by=actor,
    )
    # The rapid review opens with the notification. Its clock starts on the day of awareness (Working
    # Together 2018 ch. 4, 2023 ch. 5), or where the partnership's procedure says so on the day the
    # notification is sent (today until then; `record_notification_sent` resets it).
    clock_from = clocks.rapid_review_clock_from()
    start = clocks.rapid_review_start(aware_on, None, recorded_on=today, clock_from=clock_from)
    RapidReview.objects.create(
        review=review, opened_on=start, due_on=clocks.rapid_review_due(start), clock_from=clock_from
    )
    write_history(review, action=Action.NOTIFIED, from_stage="", to_stage=Stage.NOTIFIED, actor=actor, at=now)
    record_activity(actor=actor, action="review.notified", target=review, changes={"children": [None, len(children)]})
    return review


def copy_errors(
    notification: Notification,
    today: date,
    *,
    ofsted_sent_on: date | None,
    secretary_of_state_sent_on: date | None,
    require_looked_after: bool = True,
) -> dict[str, str]:
    """The copies' dates: between awareness and today; both required (`require_looked_after`) for a
    looked-after child's death, given now or recorded before."""
    errors: dict[str, str] = {}
    given = {"ofsted_sent_on": ofsted_sent_on, "secretary_of_state_sent_on": secretary_of_state_sent_on}
    for name, day in given.items():
        if day is not None and (day > today or day < notification.aware_on):
            errors[name] = "Enter a date between the date the local authority became aware and today."
    if require_looked_after and notification.looked_after_death:
        if ofsted_sent_on is None and notification.ofsted_sent_on is None:
            errors["ofsted_sent_on"] = (
                "A looked-after child died: enter the date the local authority notified Ofsted "
                "(Children Act 2004 s.16C(2))."
            )
        if secretary_of_state_sent_on is None and notification.secretary_of_state_sent_on is None:
            errors["secretary_of_state_sent_on"] = (
                "A looked-after child died: enter the date the local authority notified the Secretary of State "
                "(Children Act 2004 s.16C(2))."
            )
    return errors


@kernel.service
def record_notification_sent(
    *,
    actor: Person,
    review: Review,
    version: int,
    sent_on: date,
    reason: str = "",
    ofsted_sent_on: date | None = None,
    secretary_of_state_sent_on: date | None = None,
    at: datetime | None = None,
) -> Review:
    """The notification went to the national panel (late if after its due date: the record keeps it). The
    rapid review's clock moves to this day only where the procedure counts from the notification.

    For the death of a looked-after child the copies to Ofsted and the Secretary of State must be dated
    (here or recorded before, `record_notification_copies`)."""
    current = locked(review, version)
    notification = current.notification
    errors = copy_errors(
        notification, today_of(at), ofsted_sent_on=ofsted_sent_on, secretary_of_state_sent_on=secretary_of_state_sent_on
    )
    if sent_on > today_of(at) or sent_on < notification.aware_on:
        errors["sent_on"] = "Enter a date between the date of awareness and today."
    if errors:
        raise ValidationError(errors)
    copies = {"ofsted_sent_on": ofsted_sent_on, "secretary_of_state_sent_on": secretary_of_state_sent_on}
    Notification.objects.filter(review=current).update(
        sent_to_panel_on=sent_on, **{name: day for name, day in copies.items() if day is not None}
    )
    if current.rapid_review.clock_from == clocks.FROM_NOTIFICATION:
        # Only where the procedure counts from the notification: a late notification never moves a
        # clock that runs from the day of awareness.
        RapidReview.objects.filter(review=current).update(opened_on=sent_on, due_on=clocks.rapid_review_due(sent_on))
    # Summaries already requested keep their own dates; default ones move with the clock.
    apply_transition(
        current,
        action=Action.NOTIFICATION_SENT,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=today_of(at),
    )
    return sync(review, current)


@kernel.service
def record_panel_meeting(
    *,
    actor: Person,
    review: Review,
    met_on: date,
    attendance: str,
    summary: str,
    recommendation: str,
    reasons: str = "",
    notes: str = "",
    at: datetime | None = None,
) -> RapidReview:
    current = locked(review)
    kernel.require(can_run_review(actor, current), "Only the business unit or the review's chair can record the panel.")
    kernel.require(current.stage == Stage.RAPID_REVIEW, "The panel meeting is recorded during the rapid review.")
    errors: dict[str, str] = {}
    summary = required_text(errors, "summary", summary, "Enter the summary the panel agreed.")
    attendance = required_text(errors, "attendance", attendance, "Say who attended.")
    if met_on > today_of(at):
        errors["met_on"] = "The meeting date must be today or in the past."
    if not recommendation:
        errors["recommendation"] = "Choose the panel's recommendation."
    if errors:
        raise ValidationError(errors)
    RapidReview.objects.filter(review=current).update(
        panel_met_on=met_on,
        panel_attendance=attendance,
        panel_notes=notes.strip(),
        summary=summary,
        recommendation=recommendation,
        recommendation_reasons=reasons.strip(),
    )
    record_activity(
        actor=actor, action="review.panel_recorded", target=current, changes={"recommendation": [None, recommendation]}
    )
    return RapidReview.objects.get(review=current)


@kernel.service
def sign_off_rapid_review(
    *, actor: Person, review: Review, agency: Agency, signed_by_name: str, signed_on: date, at: datetime | None = None
) -> SignOff:
    """A statutory partner's sign-off (recorded by the business unit or chair, or by the partner's own people)."""
    current = locked(review)
    kernel.require(
        can_sign_off_for(actor, current, agency),
        "Only the business unit, the chair, or the partner's own panel member can record its sign-off.",
    )
    kernel.require(current.stage == Stage.RAPID_REVIEW, "Sign-off is recorded during the rapid review.")
    if agency.pk not in {a.pk for a in statutory_partners()}:
        raise ValidationError({"agency": "Choose one of the three statutory safeguarding partners."})
    kernel.require(
        current.rapid_review.summary, "Record the panel's summary and recommendation before the partners sign off."
    )
    errors: dict[str, str] = {}
    name = required_text(errors, "signed_by_name", signed_by_name, "Enter the name of the partner who signed off.")
    if signed_on > today_of(at):
        errors["signed_on"] = "The date must be today or in the past."
    if errors:
        raise ValidationError(errors)
    sign_off, _ = SignOff.objects.update_or_create(
        rapid_review=current.rapid_review,
        agency=agency,
        defaults={"signed_by_name": name, "signed_on": signed_on, "recorded_by": actor},
    )
    record_activity(actor=actor, action="review.signed_off", target=current, changes={"partner": [None, agency.code]})
    return sign_off


@kernel.service
def send_rapid_review(
    *, actor: Person, review: Review, version: int, sent_on: date, reason: str = "", at: datetime | None = None
) -> Review:
    current = locked(review, version)
    if sent_on > today_of(at):
        raise ValidationError({"sent_on": "The date must be today or in the past."})
    RapidReview.objects.filter(review=current).update(sent_to_panel_on=sent_on)
    apply_transition(
        current,
        action=Action.RAPID_REVIEW_SENT,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=today_of(at),
    )
    return sync(review, current)


@kernel.service
def decide_practice_review(
    *,
    actor: Person,
    review: Review,
    version: int,
    kind: str,
    decided_on: date,
    reason: str = "",
    at: datetime | None = None,
) -> PracticeReview:
    """The partners decide to hold a local practice review: publication is due 6 months later."""
    current = locked(review, version)
    if kind not in (ReviewKind.LCSPR, ReviewKind.OTHER_LEARNING):
        raise ValidationError({"kind": "Choose a local practice review or another learning review."})
    if decided_on > today_of(at):
        raise ValidationError({"decided_on": "The date must be today or in the past."})
    regime.check_decision(kind, decided_on)  # an LCSPR only once the partners' arrangements began
    apply_transition(
        current,
        action=Action.PRACTICE_REVIEW_OPENED,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=today_of(at),
    )
    practice = PracticeReview.objects.create(
        review=current, kind=kind, decided_on=decided_on, target_publication_on=clocks.target_publication(decided_on)
    )
    sync(review, current)
    return practice


@kernel.service
def close_at_decision(
    *, actor: Person, review: Review, version: int, decision: str, reason: str, at: datetime | None = None
) -> Review:
    """No local practice review and no national review: the partners decide no further review (a national
    review is referred to the national panel instead: `refer_national_review`)."""
    current = locked(review, version)
    if decision in LOCAL_REVIEW_DECISIONS:
        raise ValidationError({"decision": "Choose no further review or a national review."})
    if decision == Recommendation.NATIONAL_REVIEW:
        # A national review is the national panel's to decide: the case waits for its response.
        raise ValidationError(
            {
                "decision": "A national review is for the national panel to decide: refer the case "
                "(Decide: refer for a national review) and record the Panel's response."
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "Give the reasons for the decision."})
    apply_transition(
        current,
        action=Action.CLOSED_AT_DECISION,
        actor=actor,
        version=version,
        reason=f"{decision}: {reason.strip()}",
        at=at,
        today=today_of(at),
    )
    return sync(review, current)


@kernel.service
def open_legacy_review(
    *,
    actor: Person,
    title: str,
    decided_on: date,
    children: Sequence[ChildInput],
    kind: str = ReviewKind.SCR,
    at: datetime | None = None,
) -> Review:
    """Record a review that began before this system (e.g. a pre-2018 serious case review) at 'in progress'."""
    kernel.require(is_business_unit(actor), "Only the business unit can record an earlier review.")
    if kind not in ReviewKind.values:
        raise ValidationError(
            {"kind": "Choose a serious case review, a local practice review or another learning review."}
        )
    if decided_on > today_of(at):
        raise ValidationError({"decided_on": "The date must be today or in the past."})
    regime.check_decision(kind, decided_on)  # an SCR only by the LSCB, on or before 29 September 2019
    now = kernel.now(at)
    review = Review.objects.create(
        title=title.strip(), created_by=actor, created_at=now, stage=Stage.IN_PROGRESS, stage_changed_at=now
    )
    ReviewChild.objects.bulk_create(
        [ReviewChild(review=review, child=c.child, pseudonym=c.pseudonym) for c in children]
    )
    PracticeReview.objects.create(
        review=review, kind=kind, decided_on=decided_on, target_publication_on=clocks.target_publication(decided_on)
    )
    write_history(review, action=Action.LEGACY_OPENED, from_stage="", to_stage=Stage.IN_PROGRESS, actor=actor, at=now)
    record_activity(actor=actor, action="review.legacy_opened", target=review)
    return review
