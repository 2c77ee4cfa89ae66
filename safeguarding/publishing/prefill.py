"""Sensible first values for a new committee report, from the review's own records: the header block
(the form's initial values) and text version 1. Nothing that names a child: text taken from the
review is scrubbed (`anonymity.scrub`), and the notification's summary is never used.

Every statutory word follows the review's regime (`reviews.regime`): "the LSCB" and the 2006
Regulations for a serious case review (no rapid review, no national Panel), "the safeguarding partners",
the rapid review and SI 2018/789 for a local child safeguarding practice review, and the edition of
Working Together in force on the date of the decision."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from safeguarding.actionplans.models import ActionPlan
from safeguarding.publishing.anonymity import identifying_terms, scrub
from safeguarding.publishing.content import format_date
from safeguarding.reviews import regime
from safeguarding.reviews.enums import RequestKind
from safeguarding.reviews.models import Notification, PracticeReview, RapidReview, Review

if TYPE_CHECKING:
    from safeguarding.core.types import Person

DEFAULT_COMMITTEE = "Children and Young People Overview and Scrutiny Committee"


def header_for(review: Review, actor: Person) -> dict[str, Any]:
    return {
        "title": f"Learning from the case review {review.title}: the partnership's action plan",
        "committee": DEFAULT_COMMITTEE,
        "meeting_on": timezone.localdate() + timedelta(days=28),
        "item_number": "",
        "wards": "All wards",
        "key_decision": False,
        "report_of": "Independent Scrutineer, Safeguarding Children Partnership",
        "assistant_director": "Assistant Director, Safeguarding and Quality Assurance",
        "director": "Director of Children's Services",
        "access": "public",
        "exemption_paragraph": "",
        "author_name": str(actor) if actor is not None else "",
        "author_title": getattr(actor, "job_title", "") or "Partnership business unit",
        "author_contact": getattr(actor, "email", "") or "",
    }


def _practice(review: Review) -> PracticeReview | None:
    try:
        return review.practice_review
    except PracticeReview.DoesNotExist:
        return None


def _notification_sentence(review: Review) -> str:
    """When the local authority notified the national Panel, against its 5 working days from becoming
    aware of the incident (Working Together 2018 ch. 4 / 2023 ch. 5; Children Act 2004 s.16C)."""
    notification = Notification.objects.filter(review=review).first()
    if notification is None or notification.sent_to_panel_on is None:
        return (
            "The local authority notified the national Child Safeguarding Practice Review Panel of the serious "
            "incident, which it must do within five working days of becoming aware of it."
        )
    on_time = notification.sent_to_panel_on <= notification.due_on
    return (
        f"The local authority became aware of the serious incident on {format_date(notification.aware_on)} and "
        f"notified the national Child Safeguarding Practice Review Panel on "
        f"{format_date(notification.sent_to_panel_on)}, "
        + ("within" if on_time else "later than")
        + " five working days of becoming aware of it."
    )


def _rapid_review_sentence(review: Review) -> str | None:
    """When the rapid review was due, by which rule (`clocks.rapid_review_rule`), and when it was sent."""
    rapid = RapidReview.objects.filter(review=review).first()
    if rapid is None:
        return None
    sentence = f"The rapid review was due by {format_date(rapid.due_on)}, {rapid.rule}"
    if rapid.sent_to_panel_on is None:
        return sentence + "."
    late = rapid.sent_to_panel_on > rapid.due_on
    return (
        sentence + f"; it was sent to the Panel on {format_date(rapid.sent_to_panel_on)}" + (", late." if late else ".")
    )


def _commissioning(review: Review, practice: PracticeReview | None) -> list[str]:
    found = regime.of_practice(practice) if practice else None
    if practice is None or found is None:
        return [f"The partners have not yet decided how to review {review.title} ({review.reference})."]
    decided = format_date(practice.decided_on)
    if found.is_lscb:
        # No rapid review and no national Panel before the 2018 arrangements: the LSCB decided.
        return [
            f"On {decided}, {found.rules.decider_full} decided that the case met the criteria for a "
            f"{found.review_name} under regulation 5 of the Local Safeguarding Children Boards Regulations 2006, "
            f"and commissioned the {found.review_name} {review.title} ({review.reference}).",
            "The LSCB's functions ended when the partnership's safeguarding arrangements began; the safeguarding "
            "partners now oversee the action plan that answers the review.",
        ]
    rapid = _rapid_review_sentence(review)
    return [
        _notification_sentence(review),
        *([rapid] if rapid else []),
        f"The rapid review recommended, and {found.decider} decided on {decided}, to hold a {found.review_name}: "
        f"{review.title} ({review.reference}).",
    ]


def _method(review: Review, practice: PracticeReview | None) -> list[str]:
    method = ["An independent reviewer led the review, working with a panel of the agencies involved."]
    if practice is None:
        return method
    found = regime.of_practice(practice)
    chronologies = review.requests.filter(kind=RequestKind.CHRONOLOGY).count()
    reports = review.requests.filter(kind=RequestKind.AGENCY_REPORT).count()
    events = practice.practitioner_events.count()
    family = practice.family_contacts.count()
    report_words = "individual management reviews" if found.is_lscb else "agency reports"
    method.append(
        f"{chronologies} agencies provided chronologies and {reports} {report_words}; {events} practitioner "
        f"event{'s were' if events != 1 else ' was'} held; the reviewer met {family} family "
        f"member{'s' if family != 1 else ''}, who were offered the report before publication."
    )
    return method


def legal_text(review: Review) -> str:
    """The legal implications, in the regime of the review's decision (`reviews.regime`)."""
    found = regime.of_review(review)
    if found is None:
        return (
            "The safeguarding partners decide whether to hold a local child safeguarding practice review under "
            "section 16F of the Children Act 2004 and SI 2018/789."
        )
    if found.is_lscb:
        return (
            f"{found.rules.decider_full[0].upper()}{found.rules.decider_full[1:]} commissioned this "
            f"{found.review_name} under "
            f"{found.rules.legal_basis}; {found.guidance_sentence} set out how it was to be conducted and its "
            "learning acted on. The LSCB has since been replaced by the safeguarding partners, who oversee the "
            "action plan."
        )
    return (
        f"The {found.review_name} was decided by {found.decider} under {found.rules.legal_basis}. "
        f"{found.guidance_sentence} requires the safeguarding partners to act on its learning and to publish "
        "the report."
    )


def background_papers(review: Review, practice: PracticeReview | None) -> str:
    papers = []
    found = regime.of_practice(practice) if practice else None
    if found is not None:
        papers.append(found.guidance.title)
    if practice is not None and practice.published_on:
        # Only once published: an unpublished report is not a background paper anyone can read.
        papers.append(
            f"The published review report ({review.reference}, {format_date(practice.published_on)}), "
            "on the partnership's website."
        )
    return "\n".join(papers)


def text_for(review: Review) -> dict[str, str]:
    terms = identifying_terms(review)
    practice = _practice(review)
    recommendations = review.recommendations.count()
    plan = ActionPlan.objects.filter(review_id=review.pk).first()
    group = plan.owner_group if plan else "case review subgroup"
    found = regime.of_practice(practice) if practice else None
    kind = found.review_name if found else "case review"
    commissioning = _commissioning(review, practice)
    if practice and practice.terms_of_reference.strip():
        commissioning.append("Terms of reference: " + scrub(" ".join(practice.terms_of_reference.split()), terms))
    return {
        "executive_summary": (
            f"This report presents the findings of the {kind} {review.title} and the partnership's action plan "
            f"in response to its {recommendations} recommendations.\n\n"
            "It tells the committee what has been done so far, what is overdue and why, and what happens next."
        ),
        "recommendations": (
            "That the committee notes the findings and recommendations of the review.\n"
            "That the committee accepts the partnership's action plan at Appendix A.\n"
            "That the committee receives a further report on progress in six months."
        ),
        "commissioning": "\n\n".join(commissioning),
        "method": "\n\n".join(_method(review, practice)),
        "risks": "",
        "issues_and_options": (
            "The committee may accept the action plan, or refer it back to the partnership with its questions."
        ),
        "reasons": (
            "The action plan answers each of the review's recommendations with actions, a lead agency and officer, "
            "a due date and a measure of success, and the partnership checks later that the change held."
        ),
        "consultation": f"The action plan was agreed by the {group} and the safeguarding partners.",
        "policy_impact": "The plan supports the partnership's published safeguarding arrangements and priorities.",
        "financial": "The actions are met from the agencies' existing budgets.",
        "financial_verified_by": "",
        "legal": legal_text(review),
        "legal_verified_by": "",
        "equality": "",
        "equality_verified_by": "",
        "other": "",
        "other_verified_by": "",
        "appendices": "",
        "background_papers": background_papers(review, practice),
    }
