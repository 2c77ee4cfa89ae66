"""Sensible first values for a new committee report, from the review's own records: the header block
(the form's initial values) and text version 1. Nothing that names a child: text taken from the
review is scrubbed (`anonymity.scrub`), and the notification's summary is never used."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from safeguarding.actionplans.models import ActionPlan
from safeguarding.publishing.anonymity import identifying_terms, scrub
from safeguarding.publishing.content import format_date
from safeguarding.reviews.enums import RequestKind
from safeguarding.reviews.models import PracticeReview, Review

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


def text_for(review: Review) -> dict[str, str]:
    terms = identifying_terms(review)
    practice = _practice(review)
    recommendations = review.recommendations.count()
    plan = ActionPlan.objects.filter(review_id=review.pk).first()
    group = plan.owner_group if plan else "case review subgroup"
    kind = practice.get_kind_display().lower() if practice else "case review"
    decided = format_date(practice.decided_on) if practice else "not yet decided"
    commissioning = [
        f"Following a serious incident notification, the rapid review recommended, and the safeguarding partners "
        f"decided on {decided}, to hold a {kind}: {review.title} ({review.reference})."
    ]
    method = ["An independent reviewer led the review, working with a panel of the agencies involved."]
    if practice:
        if practice.terms_of_reference.strip():
            commissioning.append("Terms of reference: " + scrub(" ".join(practice.terms_of_reference.split()), terms))
        chronologies = review.requests.filter(kind=RequestKind.CHRONOLOGY).count()
        reports = review.requests.filter(kind=RequestKind.AGENCY_REPORT).count()
        events = practice.practitioner_events.count()
        family = practice.family_contacts.count()
        method.append(
            f"{chronologies} agencies provided chronologies and {reports} agency reports; {events} practitioner "
            f"event{'s were' if events != 1 else ' was'} held; the reviewer met {family} family "
            f"member{'s' if family != 1 else ''}, who were offered the report before publication."
        )
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
        "method": "\n\n".join(method),
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
        "legal": (
            "Working Together to Safeguard Children 2023 requires the safeguarding partners to act on the learning "
            "from local child safeguarding practice reviews."
        ),
        "legal_verified_by": "",
        "equality": "",
        "equality_verified_by": "",
        "other": "",
        "other_verified_by": "",
        "appendices": "",
        "background_papers": f"The review report ({review.reference}), on the partnership's website.",
    }
