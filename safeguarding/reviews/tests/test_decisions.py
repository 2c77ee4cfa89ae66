"""Services: what the notification records (abuse or neglect, looked-after, harm outside England, the
copies, the partners informed), the national panel's response to a recommended national review, and
reopening a closed case."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from safeguarding.core.kernel import NotAllowed, StaleVersion
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import Action, Harm, MemberRole, PanelResponse, Recommendation, ReviewKind, Stage
from safeguarding.reviews.models import Notification, PartnerInformed, Review, StageChange
from safeguarding.reviews.tests.conftest import ReviewCast, at
from safeguarding.reviews.timeline import case_record, partners_not_informed

SENT = date(2026, 3, 4)


def to_national_decision(rc: ReviewCast, review: Review) -> Review:
    """Notified, sent, a panel recommending a national review, three sign-offs, sent to the Panel."""
    services.record_notification_sent(actor=rc.business, review=review, version=review.version, sent_on=SENT)
    services.record_panel_meeting(
        actor=rc.business,
        review=review,
        met_on=SENT,
        attendance="All partners",
        summary="Learning of national importance.",
        recommendation=Recommendation.NATIONAL_REVIEW,
    )
    for partner in rc.partners:
        services.sign_off_rapid_review(
            actor=rc.business, review=review, agency=partner, signed_by_name="A Partner", signed_on=SENT
        )
    services.send_rapid_review(actor=rc.business, review=review, version=review.version, sent_on=SENT)
    return review


def referred(rc: ReviewCast) -> Review:
    review = to_national_decision(rc, rc.notify())
    services.refer_national_review(actor=rc.business, review=review, version=review.version)
    return review


def respond(rc: ReviewCast, review: Review, response: str, **kwargs: object) -> Review:
    values: dict[str, object] = {
        "actor": rc.business,
        "review": review,
        "version": review.version,
        "response": response,
        "responded_on": date(2026, 4, 1),
        "panel_words": "The Panel has considered the rapid review.",
    }
    values.update(kwargs)
    return services.record_panel_response(**values)  # type: ignore[arg-type]


# ---- the notification ----------------------------------------------------------------------------


def test_notify_records_abuse_looked_after_and_harm_outside_england(rc: ReviewCast) -> None:
    review = rc.notify(looked_after=True, harm_outside_england=True, harm_location="Cardiff, Wales")
    n = Notification.objects.get(review=review)
    assert (n.abuse_or_neglect, n.looked_after, n.harm_outside_england, n.harm_location) == (
        True,
        True,
        True,
        "Cardiff, Wales",
    )


def test_notify_refuses_an_incident_without_abuse_or_neglect(rc: ReviewCast) -> None:
    with pytest.raises(ValidationError) as exc:
        rc.notify(abuse_or_neglect=False)
    assert "not a notifiable incident" in exc.value.message_dict["abuse_or_neglect"][0]
    with pytest.raises(ValidationError):  # looked after but seriously harmed: still not notifiable
        rc.notify(abuse_or_neglect=False, looked_after=True, harm=Harm.SERIOUS_HARM)
    assert not Review.objects.exists()


def test_notify_accepts_the_death_of_a_looked_after_child_whatever_the_cause(rc: ReviewCast) -> None:
    review = rc.notify(abuse_or_neglect=False, looked_after=True, harm=Harm.DEATH)
    assert review.notification.looked_after_death
    assert not review.notification.abuse_or_neglect


def test_the_database_refuses_a_notification_that_is_not_notifiable(rc: ReviewCast) -> None:
    review = rc.notify()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.filter(review=review).update(abuse_or_neglect=False)


def test_harm_outside_england_needs_where_and_only_then(rc: ReviewCast) -> None:
    with pytest.raises(ValidationError) as exc:
        rc.notify(harm_outside_england=True, harm_location=" ")
    assert "outside England" in exc.value.message_dict["harm_location"][0]
    with pytest.raises(ValidationError) as exc:
        rc.notify(harm_location="Cardiff")
    assert "Leave this blank" in exc.value.message_dict["harm_location"][0]


def test_looked_after_death_needs_both_copies_before_the_notification_is_sent(rc: ReviewCast) -> None:
    review = rc.notify(abuse_or_neglect=False, looked_after=True, harm=Harm.DEATH)
    with pytest.raises(ValidationError) as exc:
        services.record_notification_sent(actor=rc.business, review=review, version=review.version, sent_on=SENT)
    assert set(exc.value.message_dict) == {"ofsted_sent_on", "secretary_of_state_sent_on"}
    assert "s.16C(2)" in exc.value.message_dict["ofsted_sent_on"][0]
    review.refresh_from_db()
    assert review.stage == Stage.NOTIFIED

    services.record_notification_copies(actor=rc.business, review=review, ofsted_sent_on=date(2026, 3, 3))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=SENT, secretary_of_state_sent_on=SENT
    )
    n = Notification.objects.get(review=review)
    assert (n.ofsted_sent_on, n.secretary_of_state_sent_on, n.sent_to_panel_on) == (date(2026, 3, 3), SENT, SENT)
    assert review.stage == Stage.RAPID_REVIEW


def test_other_notifications_are_sent_without_their_copies(rc: ReviewCast) -> None:
    review = rc.notify()
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=SENT, ofsted_sent_on=SENT
    )
    assert Notification.objects.get(review=review).ofsted_sent_on == SENT


def test_copies_refuse_dates_before_awareness_or_to_come(rc: ReviewCast) -> None:
    review = rc.notify()  # aware 2 March 2026
    with pytest.raises(ValidationError) as exc:
        services.record_notification_copies(actor=rc.business, review=review, ofsted_sent_on=date(2026, 3, 1))
    assert "ofsted_sent_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.record_notification_copies(
            actor=rc.business, review=review, secretary_of_state_sent_on=date(2027, 1, 1)
        )
    with pytest.raises(NotAllowed):
        services.record_notification_copies(actor=rc.reviewer, review=review, ofsted_sent_on=SENT)
    assert ActivityLog.objects.filter(action="review.notification_copies_recorded").count() == 0


def test_partners_informed_per_partner_and_the_area_of_harm(rc: ReviewCast) -> None:
    review = rc.notify(harm_outside_england=True, harm_location="Cardiff, Wales")
    police, csc, icb = rc.partners
    services.record_partners_informed(actor=rc.business, review=review, informed_on=SENT, agencies=[police])
    assert partners_not_informed(review) == [icb]  # children's social care notifies: not listed
    services.record_partners_informed(
        actor=rc.business, review=review, informed_on=date(2026, 3, 5), agencies=[icb], harm_area=True
    )
    assert partners_not_informed(review) == []
    assert dict(PartnerInformed.objects.values_list("agency__code", "informed_on")) == {
        police.code: SENT,
        icb.code: date(2026, 3, 5),
    }
    assert Notification.objects.get(review=review).harm_area_informed_on == date(2026, 3, 5)
    assert ActivityLog.objects.filter(action="review.partners_informed").count() == 2
    with pytest.raises(ValidationError) as exc:
        services.record_partners_informed(actor=rc.business, review=review, informed_on=SENT, agencies=[csc])
    assert "statutory safeguarding partners" in exc.value.message_dict["agencies"][0]


def test_partners_informed_refuses_an_area_for_harm_in_england_and_nobody(rc: ReviewCast) -> None:
    review = rc.notify()
    with pytest.raises(ValidationError) as exc:
        services.record_partners_informed(actor=rc.business, review=review, informed_on=SENT, harm_area=True)
    assert "in England" in exc.value.message_dict["harm_area"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_partners_informed(actor=rc.business, review=review, informed_on=SENT)
    assert "Choose who was informed." in exc.value.message_dict["agencies"]


# ---- the decision after the rapid review ----------------------------------------------------------


def test_a_recommended_national_review_cannot_close_locally(rc: ReviewCast) -> None:
    review = to_national_decision(rc, rc.notify())
    with pytest.raises(NotAllowed, match="refer the case to the national panel"):
        services.close_at_decision(
            actor=rc.business,
            review=review,
            version=review.version,
            decision=Recommendation.NO_FURTHER_REVIEW,
            reason="r",
        )
    with pytest.raises(ValidationError):
        services.close_at_decision(
            actor=rc.business,
            review=review,
            version=review.version,
            decision=Recommendation.NATIONAL_REVIEW,
            reason="r",
        )
    services.refer_national_review(actor=rc.business, review=review, version=review.version)
    assert Review.objects.get(pk=review.pk).stage == Stage.AWAITING_PANEL


def test_only_a_recommended_national_review_is_referred(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())  # the cast's panel recommends an LCSPR
    with pytest.raises(NotAllowed, match="recommends a national review"):
        services.refer_national_review(actor=rc.business, review=review, version=review.version)


def test_panel_accepts_a_national_review_the_case_stays_open(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.ACCEPTED, panel_words="The Panel will carry out a national review.")
    review.refresh_from_db()
    assert review.stage == Stage.NATIONAL_REVIEW
    assert Review.objects.open().filter(pk=review.pk).exists()
    rapid = review.rapid_review
    assert (rapid.panel_response, rapid.panel_responded_on, rapid.panel_response_words) == (
        PanelResponse.ACCEPTED,
        date(2026, 4, 1),
        "The Panel will carry out a national review.",
    )
    row = StageChange.objects.get(review=review, action=Action.NATIONAL_REVIEW_ACCEPTED)
    assert (row.from_stage, row.to_stage, row.actor) == (Stage.AWAITING_PANEL, Stage.NATIONAL_REVIEW, rc.business)
    log = ActivityLog.objects.get(action="review.national_review_accepted")
    assert log.changes["panel_response"] == [None, "accepted"]


def test_national_review_closes_when_published_or_with_a_reason(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.ACCEPTED)
    with pytest.raises(ValidationError) as exc:
        services.close_national_review(actor=rc.business, review=review, version=review.version)
    assert "reason" in exc.value.message_dict
    services.close_national_review(
        actor=rc.business, review=review, version=review.version, published_on=date(2026, 10, 1)
    )
    review.refresh_from_db()
    assert review.stage == Stage.CLOSED
    assert review.rapid_review.national_published_on == date(2026, 10, 1)
    assert StageChange.objects.get(review=review, action=Action.NATIONAL_REVIEW_CLOSED).reason == (
        "National review published 01/10/2026."
    )


def test_panel_returns_the_case_for_a_local_review_decided_on_its_date(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.RETURNED, responded_on=date(2026, 4, 1))
    review.refresh_from_db()
    assert review.stage == Stage.IN_PROGRESS
    practice = review.practice_review
    assert (practice.kind, practice.decided_on, practice.target_publication_on) == (
        ReviewKind.LCSPR,
        date(2026, 4, 1),
        date(2026, 10, 1),
    )
    services.update_terms_of_reference(  # the local review's path from here
        actor=rc.business, review=review, terms_of_reference="ToR", key_lines_of_enquiry=""
    )


def test_panel_no_review_closes_with_reasons(rc: ReviewCast) -> None:
    review = referred(rc)
    with pytest.raises(ValidationError) as exc:
        respond(rc, review, PanelResponse.NO_REVIEW, reason="")
    assert "reason" in exc.value.message_dict
    respond(rc, review, PanelResponse.NO_REVIEW, reason="Learning already addressed locally.")
    review.refresh_from_db()
    assert review.stage == Stage.CLOSED
    assert StageChange.objects.get(review=review, action=Action.PANEL_NO_REVIEW).reason == (
        "Learning already addressed locally."
    )


def test_panel_response_needs_date_words_and_not_before_sending(rc: ReviewCast) -> None:
    review = referred(rc)
    with pytest.raises(ValidationError) as exc:
        respond(rc, review, "maybe", responded_on=None, panel_words=" ")
    assert set(exc.value.message_dict) == {"response", "responded_on", "panel_words"}
    with pytest.raises(ValidationError) as exc:
        respond(rc, review, PanelResponse.ACCEPTED, responded_on=date(2026, 3, 3))
    assert "before the rapid review was sent" in exc.value.message_dict["responded_on"][0]
    assert Review.objects.get(pk=review.pk).stage == Stage.AWAITING_PANEL


def test_panel_response_is_for_the_business_unit_or_chair_and_checks_the_version(rc: ReviewCast) -> None:
    review = referred(rc)
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    with pytest.raises(NotAllowed):
        respond(rc, review, PanelResponse.ACCEPTED, actor=rc.reviewer)
    with pytest.raises(StaleVersion):
        respond(rc, review, PanelResponse.ACCEPTED, version=review.version - 1)
    services.add_member(actor=rc.business, review=review, user=rc.other_reviewer, role=MemberRole.CHAIR)
    respond(rc, Review.objects.get(pk=review.pk), PanelResponse.ACCEPTED, actor=rc.other_reviewer)


def test_move_review_refuses_the_steps_with_their_own_service(rc: ReviewCast) -> None:
    review = referred(rc)
    with pytest.raises(ValidationError):
        services.move_review(
            actor=rc.business, review=review, action=Action.NATIONAL_REVIEW_ACCEPTED, version=review.version
        )


# ---- reopening -----------------------------------------------------------------------------------


def test_reopen_returns_to_the_stage_it_closed_from_with_who_when_why(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    services.close_at_decision(
        actor=rc.business, review=review, version=review.version, decision=Recommendation.NO_FURTHER_REVIEW, reason="r"
    )
    services.reopen_review(
        actor=rc.business, review=review, version=review.version, reason="New information from the police."
    )
    review.refresh_from_db()
    assert review.stage == Stage.DECISION
    row = StageChange.objects.get(review=review, action=Action.REOPENED)
    assert (row.from_stage, row.to_stage, row.actor, row.reason) == (
        Stage.CLOSED,
        Stage.DECISION,
        rc.business,
        "New information from the police.",
    )
    log = ActivityLog.objects.get(action="review.reopened")
    assert log.changes == {"stage": ["closed", "decision"], "reason": [None, "New information from the police."]}


def test_reopen_after_the_panel_declined_goes_back_to_the_partners_decision(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.NO_REVIEW, reason="Addressed locally.")
    services.reopen_review(actor=rc.business, review=review, version=review.version, reason="Partners reconsider.")
    assert Review.objects.get(pk=review.pk).stage == Stage.DECISION
    # The Panel has answered: the partners may now close locally or decide a local review.
    services.decide_practice_review(
        actor=rc.business, review=review, version=review.version, kind=ReviewKind.LCSPR, decided_on=date(2026, 5, 1)
    )
    assert Review.objects.get(pk=review.pk).stage == Stage.IN_PROGRESS


def test_reopen_a_national_review_closed_by_mistake(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.ACCEPTED)
    services.close_national_review(actor=rc.business, review=review, version=review.version, reason="Closed early.")
    services.reopen_review(actor=rc.business, review=review, version=review.version, reason="Still running.")
    assert Review.objects.get(pk=review.pk).stage == Stage.NATIONAL_REVIEW


def test_reopen_needs_a_reason_the_business_unit_and_a_closed_case(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    with pytest.raises(NotAllowed):  # not closed
        services.reopen_review(actor=rc.business, review=review, version=review.version, reason="r")
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.CHAIR)
    services.close_at_decision(
        actor=rc.business, review=review, version=review.version, decision=Recommendation.NO_FURTHER_REVIEW, reason="r"
    )
    with pytest.raises(NotAllowed, match="Only the business unit"):
        services.reopen_review(actor=rc.reviewer, review=review, version=review.version, reason="r")
    with pytest.raises(ValidationError) as exc:
        services.reopen_review(actor=rc.business, review=review, version=review.version, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(StaleVersion):
        services.reopen_review(actor=rc.business, review=review, version=review.version - 1, reason="r")
    assert Review.objects.get(pk=review.pk).stage == Stage.CLOSED


def test_reopen_is_refused_without_a_closing_history_row(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    Review.objects.filter(pk=review.pk).update(stage=Stage.CLOSED)
    review.refresh_from_db()
    with pytest.raises(NotAllowed, match="does not show the stage"):
        services.reopen_review(actor=rc.business, review=review, version=review.version, reason="r")


def test_history_rows_are_dated_when_demo_data_dates_them(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.ACCEPTED, at=at(date(2026, 4, 2)))
    assert StageChange.objects.get(review=review, action=Action.NATIONAL_REVIEW_ACCEPTED).at == at(date(2026, 4, 2))


def test_case_record_has_the_notification_copies_partners_and_panel_response(rc: ReviewCast) -> None:
    review = rc.notify(harm_outside_england=True, harm_location="Cardiff, Wales", at=at(date(2026, 3, 2)))
    services.record_partners_informed(
        actor=rc.business, review=review, informed_on=date(2026, 3, 3), agencies=[rc.partners[0]], harm_area=True
    )
    services.record_notification_copies(actor=rc.business, review=review, ofsted_sent_on=date(2026, 3, 3))
    to_national_decision(rc, review)
    services.refer_national_review(actor=rc.business, review=review, version=review.version)
    respond(rc, review, PanelResponse.ACCEPTED, panel_words="A national review will follow.")
    record = [(e.on, e.text) for e in case_record(Review.objects.get(pk=review.pk))]
    assert record[:5] == [
        (date(2026, 3, 2), "Incident: a child has been seriously harmed"),
        (date(2026, 3, 2), "The local authority became aware"),
        (date(2026, 3, 2), f"Serious incident notified ({rc.business})"),
        (date(2026, 3, 3), "Copy of the notification sent to Ofsted"),
        (date(2026, 3, 3), "Area where the harm happened informed (Cardiff, Wales)"),
    ]
    assert (date(2026, 3, 3), f"{rc.partners[0].name} informed") in record
    assert (date(2026, 4, 1), "National panel's response: accepted for a national review") in record
    assert record[-1][1] == f"National panel: accepted for a national review ({rc.business})"
