"""The pages that record a review's work: the rapid review panel and sign-offs, requests to agencies,
the people named on the review, and the practice review's terms, events, family engagement, drafts
and sent dates. Each is offered only to those the rule allows (404 otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.reviews import forms, publication, queries, services, workflow
from safeguarding.reviews.views import form_flow, review_for, upload_of

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

RUN = "reviews.run_review"
WRITE = "reviews.write_review"
# Who may be named on a review.
MEMBER_ROLES = [Role.REVIEWER, Role.SAFEGUARDING_LEAD, Role.SENIOR_MANAGER, Role.BUSINESS_UNIT, Role.MANAGER]


@login_required
def panel(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    rapid = review.rapid_review
    initial = {
        "attendance": rapid.panel_attendance,
        "summary": rapid.summary,
        "recommendation": rapid.recommendation,
        "reasons": rapid.recommendation_reasons,
        "notes": rapid.panel_notes,
    }
    form = forms.PanelForm(data=request.POST or None, initial=initial)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.record_panel_meeting(
            actor=request.user,
            review=review,
            met_on=d["met_on"],
            attendance=d["attendance"],
            summary=d["summary"],
            recommendation=d["recommendation"],
            reasons=d["reasons"],
            notes=d["notes"],
        ),
        title="Record the rapid review panel",
        button="Save the panel record",
        done="Panel meeting recorded.",
    )


@login_required
def sign_off(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    partners = Agency.objects.filter(pk__in=[a.pk for a in workflow.statutory_partners()]).order_by("name")
    form = forms.SignOffForm(data=request.POST or None, agencies=partners)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.sign_off_rapid_review(
            actor=request.user,
            review=review,
            agency=d["agency"],
            signed_by_name=d["signed_by_name"],
            signed_on=d["signed_on"],
        ),
        title="Record a partner's sign-off",
        button="Record sign-off",
        done="Sign-off recorded.",
    )


@login_required
def new_request(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    form = forms.RequestForm(data=request.POST or None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.request_from_agency(
            actor=request.user,
            review=review,
            agency=d["agency"],
            kind=d["kind"],
            due_on=d.get("due_on"),
            note=d.get("note", ""),
        ),
        title="Ask an agency for information",
        button="Send the request",
        done="Request sent. The agency's safeguarding lead has been told.",
    )


@login_required
def add_member(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    people = (
        get_user_model()
        .objects.filter(
            is_active=True, is_system=False, memberships__is_active=True, memberships__role__in=MEMBER_ROLES
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    form = forms.MemberForm(data=request.POST or None, people=people)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.add_member(actor=request.user, review=review, user=d["user"], role=d["role"]),
        title="Name someone on this review",
        button="Add",
        done="Added to the review.",
    )


@login_required
def terms(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, WRITE)
    practice = queries.practice_or_none(review)
    initial = (
        {"terms_of_reference": practice.terms_of_reference, "key_lines_of_enquiry": practice.key_lines_of_enquiry}
        if practice
        else {}
    )
    form = forms.TermsForm(data=request.POST or None, initial=initial)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.update_terms_of_reference(
            actor=request.user,
            review=review,
            terms_of_reference=d["terms_of_reference"],
            key_lines_of_enquiry=d["key_lines_of_enquiry"],
        ),
        title="Terms of reference",
        button="Save",
        done="Terms of reference saved.",
    )


@login_required
def practitioner_event(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, WRITE)
    form = forms.PractitionerEventForm(data=request.POST or None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.add_practitioner_event(
            actor=request.user, review=review, held_on=d["held_on"], attendance=d["attendance"], notes=d["notes"]
        ),
        title="Record a practitioner event",
        button="Save",
        done="Practitioner event recorded.",
    )


@login_required
def family_contact(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, WRITE)
    form = forms.FamilyContactForm(data=request.POST or None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.add_family_contact(
            actor=request.user,
            review=review,
            who=d["who"],
            met_on=d.get("met_on"),
            report_shared_on=d.get("report_shared_on"),
            notes=d["notes"],
        ),
        title="Record family engagement",
        button="Save",
        done="Family engagement recorded.",
    )


@login_required
def upload_draft(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, WRITE)
    form = forms.DraftForm(data=request.POST or None, files=request.FILES or None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.upload_report_draft(
            actor=request.user, review=review, upload=upload_of(d["document"]), note=d["note"]
        ),
        title="Upload a report draft",
        button="Upload",
        done="Draft uploaded.",
    )


@login_required
def sent_dates(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    practice = queries.practice_or_none(review)
    rule = publication.copy_rule(practice) if practice else None
    form = forms.SentDatesForm(data=request.POST or None, recipients=rule.recipients if rule else None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.record_sent_dates(
            actor=request.user,
            review=review,
            sent_to_panel_on=d["sent_to_panel_on"],
            sent_to_secretary_of_state_on=d["sent_to_secretary_of_state_on"],
        ),
        title="Record when the final report was sent",
        button="Save",
        done="Dates recorded.",
        intro=f"The full report reaches {rule.both} at least {rule.notice} before publication ({rule.source})."
        if rule
        else "",
    )
