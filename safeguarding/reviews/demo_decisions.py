"""Demo data for the decisions after a notification (issue 15), a `seed_demo` step of its own
("reviews-decisions", order 41, after the reviews step): the notification's statutory facts, the
national-review path and reopening, each through the same services as the pages and dated in the past
with their `at` argument, relative to the day the demo is seeded (as `demo.py` dates its reviews).

- Child S: the death of a looked-after child, both copies (Ofsted, the Secretary of State) dated; the
  rapid review recommends a national review and the case awaits the national panel.
- Child T: seriously harmed in Cardiff, Wales; the area informed; accepted for a national review, with
  the Panel's words.
- Child U: the Panel returned it for a local review: a local practice review, in progress.
- Child V: the Panel decided no review; the case closed and was reopened, with the reason.
- Child W: a recent notification; the police are informed, the other partner not yet.

All of them are the demo's synthetic children, not on another demo review (all details fictional).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency, User
from safeguarding.children.models import Child
from safeguarding.core.calendar import add_working_days
from safeguarding.core.demo import DemoContext
from safeguarding.reviews import services
from safeguarding.reviews.demo import _at, _featured_agencies, _notify_and_ask_agencies, _user
from safeguarding.reviews.enums import Harm, PanelResponse, Recommendation
from safeguarding.reviews.models import RapidReview, Review
from safeguarding.reviews.workflow import partners_to_inform, statutory_partners

# What the demo's national panel wrote back (fictional).
PANEL_WORDS: dict[str, str] = {
    PanelResponse.ACCEPTED: "The Panel will include this case in its national review of children harmed while "
    "away from their home area. The partnership is asked to contribute its rapid review and agency reports.",
    PanelResponse.RETURNED: "The Panel does not consider a national review appropriate. The learning is local: "
    "the Panel supports a local child safeguarding practice review.",
    PanelResponse.NO_REVIEW: "The Panel agrees that the rapid review has identified the learning and that no "
    "further review is needed.",
}
REOPEN_REASON = (
    "The police investigation found new information about the agencies' contact with the family: "
    "the partners will consider a local review."
)
HARM_LOCATION = "Cardiff, Wales"


def seed_review_decisions(ctx: DemoContext) -> None:
    # After the reviews step; once (a demo that already holds a national-review path is left alone).
    if not Review.objects.exists() or RapidReview.objects.filter(recommendation=Recommendation.NATIONAL_REVIEW):
        return
    bu = _user("business.unit")
    if bu is None:
        return
    children = list(
        Child.objects.filter(is_verified=True, review_links__isnull=True)
        .exclude(last_name="Whitlock")
        .order_by("pk")[:5]
    )
    if len(children) < 5:
        return
    today = timezone.localdate()
    agencies = _featured_agencies()
    _looked_after_death(today - timedelta(days=45), children[0], bu=bu, agencies=agencies)
    _harm_in_cardiff(today - timedelta(days=90), children[1], bu=bu, agencies=agencies)
    _returned_for_local_review(today - timedelta(days=100), children[2], bu=bu, agencies=agencies)
    _declined_closed_and_reopened(today - timedelta(days=120), children[3], bu=bu, agencies=agencies)
    _partner_not_yet_informed(today - timedelta(days=10), children[4], bu=bu)
    ctx.log(f"Case reviews after the decision (national review, reopening): {Review.objects.count()} in all")


def _notify(
    aware: date,
    child: Child,
    pseudonym: str,
    *,
    bu: User,
    summary: str,
    harm: str = Harm.SERIOUS_HARM,
    abuse_or_neglect: bool = True,
    looked_after: bool = False,
    harm_location: str = "",
) -> Review:
    """A serious incident notified on the day the local authority became aware (outside England when a
    `harm_location` is given)."""
    return services.notify_serious_incident(
        actor=bu,
        incident_on=aware - timedelta(days=1),
        aware_on=aware,
        harm=harm,
        summary=summary,
        children=[services.ChildInput(child, pseudonym)],
        abuse_or_neglect=abuse_or_neglect,
        looked_after=looked_after,
        harm_outside_england=bool(harm_location),
        harm_location=harm_location,
        at=_at(aware),
    )


def _inform_partners(review: Review, *, bu: User, on: date, partners: list[Agency], harm_area: bool = False) -> None:
    services.record_partners_informed(
        actor=bu, review=review, informed_on=on, agencies=partners, harm_area=harm_area, at=_at(on)
    )


def _to_national_referral(review: Review, *, bu: User, aware: date, agencies: list[Agency]) -> date:
    """Notification sent, agencies' summaries in, the rapid review recommends a national review, every
    statutory partner signs off, it is sent and referred: the case awaits the Panel. Returns the day sent."""
    sent = add_working_days(aware, 2)
    _notify_and_ask_agencies(review, bu=bu, sent=sent, agencies=agencies, submit=True)
    panel_day = add_working_days(sent, 11)
    services.record_panel_meeting(
        actor=bu,
        review=review,
        met_on=panel_day,
        attendance="Police, children's social care, the integrated care board, health, school, business unit.",
        summary="The circumstances raise issues that are complex and of national importance.",
        recommendation=Recommendation.NATIONAL_REVIEW,
        reasons="Similar harm has been seen in other areas; the learning is likely to be national.",
        at=_at(panel_day),
    )
    for partner in statutory_partners():
        services.sign_off_rapid_review(
            actor=bu,
            review=review,
            agency=partner,
            signed_by_name=f"Delegated partner, {partner.name}",
            signed_on=panel_day,
            at=_at(panel_day),
        )
    # Sent on working day 14 from awareness (the notification went on day 2): on time by the statutory clock.
    done = add_working_days(sent, 12)
    services.send_rapid_review(actor=bu, review=review, version=review.version, sent_on=done, at=_at(done))
    services.refer_national_review(
        actor=bu,
        review=review,
        version=review.version,
        reason="The rapid review recommends a national review.",
        at=_at(done),
    )
    return done


def _panel_answers(review: Review, response: str, *, bu: User, on: date, reason: str = "") -> None:
    services.record_panel_response(
        actor=bu,
        review=review,
        version=review.version,
        response=response,
        responded_on=on,
        panel_words=PANEL_WORDS[response],
        reason=reason,
        at=_at(on),
    )


def _looked_after_death(aware: date, child: Child, *, bu: User, agencies: list[Agency]) -> None:
    """A looked-after child died: notified whatever the cause, with both copies dated; awaiting the Panel."""
    review = _notify(
        aware,
        child,
        "Child S",
        bu=bu,
        harm=Harm.DEATH,
        summary="Child S, looked after by the local authority, died suddenly at a residential placement. "
        "No abuse or neglect is known or suspected at the time of notification.",
        abuse_or_neglect=False,
        looked_after=True,
    )
    ofsted, secretary = add_working_days(aware, 1), add_working_days(aware, 2)
    services.record_notification_copies(
        actor=bu, review=review, ofsted_sent_on=ofsted, secretary_of_state_sent_on=secretary, at=_at(secretary)
    )
    _inform_partners(review, bu=bu, on=add_working_days(aware, 1), partners=partners_to_inform())
    _to_national_referral(review, bu=bu, aware=aware, agencies=agencies)


def _harm_in_cardiff(aware: date, child: Child, *, bu: User, agencies: list[Agency]) -> None:
    """Harm outside England to a Northbridge child: notified here, Cardiff informed; a national review."""
    review = _notify(
        aware,
        child,
        "Child T",
        bu=bu,
        summary="Child T, who lives in Northbridge, was seriously injured while staying with a relative in "
        "Cardiff; neglect is suspected.",
        harm_location=HARM_LOCATION,
    )
    informed = add_working_days(aware, 1)
    _inform_partners(review, bu=bu, on=informed, partners=partners_to_inform(), harm_area=True)
    sent = _to_national_referral(review, bu=bu, aware=aware, agencies=agencies)
    _panel_answers(review, PanelResponse.ACCEPTED, bu=bu, on=sent + timedelta(days=14))


def _returned_for_local_review(aware: date, child: Child, *, bu: User, agencies: list[Agency]) -> None:
    """The Panel returned it: a local child safeguarding practice review decided on the day it answered."""
    review = _notify(
        aware,
        child,
        "Child U",
        bu=bu,
        summary="Child U was admitted to hospital with injuries; physical abuse is suspected.",
    )
    _inform_partners(review, bu=bu, on=add_working_days(aware, 2), partners=partners_to_inform())
    sent = _to_national_referral(review, bu=bu, aware=aware, agencies=agencies)
    _panel_answers(review, PanelResponse.RETURNED, bu=bu, on=sent + timedelta(days=10))


def _declined_closed_and_reopened(aware: date, child: Child, *, bu: User, agencies: list[Agency]) -> None:
    """The Panel decided no review, so the case closed; new information reopened it (back to decision)."""
    review = _notify(
        aware,
        child,
        "Child V",
        bu=bu,
        summary="Child V was seriously harmed at home; neglect is suspected.",
    )
    _inform_partners(review, bu=bu, on=add_working_days(aware, 1), partners=partners_to_inform())
    sent = _to_national_referral(review, bu=bu, aware=aware, agencies=agencies)
    responded = sent + timedelta(days=12)
    _panel_answers(
        review,
        PanelResponse.NO_REVIEW,
        bu=bu,
        on=responded,
        reason="The national panel decided no review; the rapid review captured the learning.",
    )
    reopened = responded + timedelta(days=21)
    services.reopen_review(actor=bu, review=review, version=review.version, reason=REOPEN_REASON, at=_at(reopened))


def _partner_not_yet_informed(aware: date, child: Child, *, bu: User) -> None:
    """A recent notification, sent: the police are told, the other partner(s) not yet (the page warns)."""
    review = _notify(
        aware,
        child,
        "Child W",
        bu=bu,
        summary="Child W was taken to hospital after a serious injury at home; neglect is suspected.",
    )
    sent = add_working_days(aware, 2)
    services.record_notification_sent(actor=bu, review=review, version=review.version, sent_on=sent, at=_at(sent))
    police = [a for a in partners_to_inform() if a.kind == AgencyKind.POLICE]
    _inform_partners(review, bu=bu, on=add_working_days(aware, 1), partners=police)
