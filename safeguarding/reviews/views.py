"""Case review pages. Thin: fetch through the access helper (404 for what the person may not see),
validate with a form, call a service, redirect with a message. Every view of review material is logged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.core.forms import add_service_errors
from safeguarding.core.sections import sections_for
from safeguarding.core.services import record_activity
from safeguarding.reviews import chronology, forms, queries, services, workflow
from safeguarding.reviews.enums import Action, RequestStatus
from safeguarding.reviews.models import Document, ReportDraft, Review, Submission
from safeguarding.reviews.workflow import TRANSITIONS, ReviewError


def _attempt(form: Any, call: Callable[[], Any]) -> bool:
    try:
        call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    except ReviewError as exc:
        form.add_error(None, exc.message)
        return False
    return True


def _upload(file: Any) -> services.Upload:
    return services.Upload(file.name, file.read(), getattr(file, "content_type", "") or "application/octet-stream")


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    button: str,
    review: Review | None = None,
    intro: str = "",
    back: str = "",
) -> HttpResponse:
    return render(
        request,
        "reviews/form.html",
        {"form": form, "title": title, "button": button, "review": review, "intro": intro, "back": back},
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not workflow.can_use_reviews(user):
        raise Http404
    reviews = list(queries.with_related(queries.reviews_visible_to(user)).order_by("-created_at")[:200])
    own_requests = list(
        queries.requests_visible_to(user)
        .filter(agency_id__in=workflow.lead_agency_ids(user))
        .select_related("review", "agency")
        .order_by("status", "due_on")[:200]
    )
    return render(
        request,
        "reviews/index.html",
        {
            "reviews": [(r, queries.current_clock(r)) for r in reviews],
            "own_requests": own_requests,
            "can_notify": workflow.can_notify(user),
            "can_monitor": workflow.can_monitor(user),
        },
    )


@login_required
def notify(request: HttpRequest) -> HttpResponse:
    if not workflow.can_notify(request.user):
        raise Http404
    form = forms.NotifyForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[Review] = []

        def call() -> None:
            created.append(
                services.notify_serious_incident(
                    actor=request.user,
                    incident_on=data["incident_on"],
                    aware_on=data["aware_on"],
                    harm=data["harm"],
                    summary=data["summary"],
                    children=[services.ChildInput(c, p) for c, p in data["children"]],
                )
            )

        if _attempt(form, call):
            review = created[0]
            messages.success(request, f"Notification recorded as {review.reference}. The rapid review is open.")
            return redirect("reviews:detail", pk=review.pk)
    return _form_page(
        request,
        form,
        title="Notify a serious incident",
        button="Record the notification",
        intro="The local authority notifies the national panel within 5 working days of becoming aware that a "
        "child has died or been seriously harmed and abuse or neglect is known or suspected.",
        back="reviews:index",
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    review = queries.get_review_for_user(user, pk)
    record_activity(actor=user, action="review.viewed", target=review)
    practice = queries.practice_or_none(review)
    clock = queries.current_clock(review)
    today = timezone.localdate()
    return render(
        request,
        "reviews/detail.html",
        {
            "review": review,
            "practice": practice,
            "clock": clock,
            "notification_overdue": hasattr(review, "notification") and review.notification.is_overdue(today),
            "timeliness": services.clocks.timeliness(clock, today) if clock else None,
            "children": review.child_links.all(),
            "members": review.members.select_related("user"),
            "requests": review.requests.select_related("agency", "submission").order_by("kind", "agency__name"),
            "sign_offs": review.rapid_review.sign_offs.select_related("agency")
            if hasattr(review, "rapid_review")
            else [],
            "partners": workflow.statutory_partners(),
            "history": review.stage_changes.select_related("actor", "actor_agency"),
            "actions": [(ACTION_URLS[a], label, why) for a, label, why in workflow.available_actions(user, review)],
            "can_run": workflow.can_run_review(user, review),
            "can_write": workflow.can_write_review(user, review),
            "findings_count": review.findings.count(),
            "recommendations_count": review.recommendations.count(),
            "sections": sections_for("review", request, review),
        },
    )


# ---- stage transitions -------------------------------------------------------------------------------

URL_ACTIONS = {
    "notification-sent": Action.NOTIFICATION_SENT,
    "send-rapid-review": Action.RAPID_REVIEW_SENT,
    "decide-practice-review": Action.PRACTICE_REVIEW_OPENED,
    "decide-no-review": Action.CLOSED_AT_DECISION,
    "draft": Action.DRAFT_RECEIVED,
    "share-with-family": Action.SHARED_WITH_FAMILY,
    "finalise": Action.FINALISED,
    "publish": Action.PUBLISHED,
    "close": Action.CLOSED,
}
ACTION_URLS: dict[str, str] = {action: slug for slug, action in URL_ACTIONS.items()}
ACTION_FORMS: dict[str, type[forms.VersionedForm]] = {
    Action.NOTIFICATION_SENT: forms.SentForm,
    Action.RAPID_REVIEW_SENT: forms.SentForm,
    Action.PRACTICE_REVIEW_OPENED: forms.DecideForm,
    Action.CLOSED_AT_DECISION: forms.CloseAtDecisionForm,
    Action.DRAFT_RECEIVED: forms.ConfirmForm,
    Action.SHARED_WITH_FAMILY: forms.ConfirmForm,
    Action.FINALISED: forms.ConfirmForm,
    Action.PUBLISHED: forms.PublishForm,
    Action.CLOSED: forms.CloseForm,
}


def _run_transition(action: str, user: Any, review: Review, data: dict[str, Any]) -> None:
    """The same entry point as the API: `services.move_review` (guard, version check, history row, log)."""
    details = {name: value for name, value in data.items() if name != "version" and value is not None}
    services.move_review(actor=user, review=review, action=action, version=data["version"], **details)


@login_required
def transition(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    action = URL_ACTIONS.get(slug)
    if action is None:
        raise Http404
    reason = workflow.blocker(action, request.user, review)
    if reason is not None:
        messages.error(request, reason)
        return redirect("reviews:detail", pk=review.pk)
    form = ACTION_FORMS[action](data=request.POST or None, initial={"version": review.version})
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(form, lambda: _run_transition(action, request.user, review, form.cleaned_data))
    ):
        messages.success(
            request,
            f"Done: {TRANSITIONS[action].label.lower()}. The review is now at "
            f"the {review.get_stage_display().lower()} stage.",
        )
        return redirect("reviews:detail", pk=review.pk)
    return _form_page(request, form, title=TRANSITIONS[action].label, button=TRANSITIONS[action].label, review=review)


# ---- recording pages ------------------------------------------------------------------------------


def _review_for_running(request: HttpRequest, pk: int, *, write: bool = False) -> Review:
    review = queries.get_review_for_user(request.user, pk)
    allowed = workflow.can_write_review if write else workflow.can_run_review
    if not allowed(request.user, review):
        raise Http404
    return review


def _simple(
    request: HttpRequest,
    review: Review,
    form: Any,
    call: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    button: str,
    done: str,
    to: str = "reviews:detail",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid() and _attempt(form, lambda: call(form.cleaned_data)):
        messages.success(request, done)
        return redirect(to, pk=review.pk)
    return _form_page(request, form, title=title, button=button, review=review)


@login_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk)
    rapid = review.rapid_review
    initial = {
        "attendance": rapid.panel_attendance,
        "summary": rapid.summary,
        "recommendation": rapid.recommendation,
        "reasons": rapid.recommendation_reasons,
        "notes": rapid.panel_notes,
    }
    form = forms.PanelForm(data=request.POST or None, initial=initial)
    return _simple(
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
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk)
    partners = Agency.objects.filter(pk__in=[a.pk for a in workflow.statutory_partners()]).order_by("name")
    form = forms.SignOffForm(data=request.POST or None, agencies=partners)
    return _simple(
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
def new_request(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk)
    form = forms.RequestForm(data=request.POST or None)
    return _simple(
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
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk)
    people = (
        get_user_model()
        .objects.filter(
            is_active=True,
            is_system=False,
            memberships__is_active=True,
            memberships__role__in=[
                Role.REVIEWER,
                Role.SAFEGUARDING_LEAD,
                Role.SENIOR_MANAGER,
                Role.BUSINESS_UNIT,
                Role.MANAGER,
            ],
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    form = forms.MemberForm(data=request.POST or None, people=people)
    return _simple(
        request,
        review,
        form,
        lambda d: services.add_member(actor=request.user, review=review, user=d["user"], role=d["role"]),
        title="Name someone on this review",
        button="Add",
        done="Added to the review.",
    )


@login_required
def terms(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk, write=True)
    practice = queries.practice_or_none(review)
    initial = (
        {"terms_of_reference": practice.terms_of_reference, "key_lines_of_enquiry": practice.key_lines_of_enquiry}
        if practice
        else {}
    )
    form = forms.TermsForm(data=request.POST or None, initial=initial)
    return _simple(
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
def practitioner_event(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk, write=True)
    form = forms.PractitionerEventForm(data=request.POST or None)
    return _simple(
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
def family_contact(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk, write=True)
    form = forms.FamilyContactForm(data=request.POST or None)
    return _simple(
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
def upload_draft(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk, write=True)
    form = forms.DraftForm(data=request.POST or None, files=request.FILES or None)
    return _simple(
        request,
        review,
        form,
        lambda d: services.upload_report_draft(
            actor=request.user, review=review, upload=_upload(d["document"]), note=d["note"]
        ),
        title="Upload a report draft",
        button="Upload",
        done="Draft uploaded.",
    )


@login_required
def sent_dates(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk)
    form = forms.SentDatesForm(data=request.POST or None)
    return _simple(
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
    )


# ---- findings, recommendations, chronology --------------------------------------------------------


@login_required
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    record_activity(actor=request.user, action="review.findings_viewed", target=review)
    return render(
        request,
        "reviews/findings.html",
        {
            "review": review,
            "findings": review.findings.prefetch_related("themes"),
            "recommendations": review.recommendations.select_related("addressee"),
            "can_write": workflow.can_write_review(request.user, review) and review.stage in services.WRITING_STAGES,
            "can_run": workflow.can_run_review(request.user, review),
        },
    )


@login_required
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk, write=True)
    form = forms.FindingForm(data=request.POST or None)
    return _simple(
        request,
        review,
        form,
        lambda d: services.add_finding(
            actor=request.user, review=review, title=d["title"], text=d["text"], themes=list(d["themes"])
        ),
        title="Add a finding",
        button="Add the finding",
        done="Finding added.",
        to="reviews:findings",
    )


@login_required
def add_recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_running(request, pk, write=True)
    form = forms.RecommendationForm(data=request.POST or None)
    return _simple(
        request,
        review,
        form,
        lambda d: services.add_recommendation(
            actor=request.user, review=review, text=d["text"], addressee=d.get("addressee"), status=d["status"]
        ),
        title="Add a recommendation",
        button="Add the recommendation",
        done="Recommendation added.",
        to="reviews:findings",
    )


@login_required
def recommendation_status(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    """The business unit or the chair moves a recommendation on (404 for anyone else, as other recording pages)."""
    review = _review_for_running(request, pk)
    recommendation = review.recommendations.filter(pk=queries._pk(rec_pk)).first()
    if recommendation is None:
        raise Http404
    form = forms.RecommendationStatusForm(data=request.POST or None, initial={"status": recommendation.status})
    return _simple(
        request,
        review,
        form,
        lambda d: services.set_recommendation_status(
            actor=request.user, recommendation=recommendation, status=d["status"]
        ),
        title=f"Status of recommendation {recommendation.reference}",
        button="Save the status",
        done=f"Status of {recommendation.reference} saved.",
        to="reviews:findings",
    )


@login_required
def review_chronology(request: HttpRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    # Names are shown only to the business unit, and only when asked for; the default is anonymised.
    named = request.GET.get("names") == "shown" and workflow.is_business_unit(request.user)
    record_activity(
        actor=request.user, action="review.chronology_viewed", target=review, changes={"anonymised": [None, not named]}
    )
    if named:
        # With names shown this is a view of each child's record: log it where "who has looked" finds it.
        for child_id in review.child_links.values_list("child_id", flat=True):
            record_activity(
                actor=request.user, action="review.chronology_viewed_named", target=review, child_id=child_id
            )
    return render(
        request,
        "reviews/chronology.html",
        {
            "review": review,
            "rows": chronology.review_chronology(review, anonymised=not named),
            "named": named,
            "can_show_names": workflow.is_business_unit(request.user),
        },
    )


@login_required
def monitoring(request: HttpRequest) -> HttpResponse:
    if not workflow.can_monitor(request.user):
        raise Http404
    record_activity(actor=request.user, action="review.monitoring_viewed")
    return render(
        request,
        "reviews/monitoring.html",
        {"rows": queries.monitoring_rows(), "can_open": workflow.is_business_unit(request.user)},
    )


# ---- agencies' requests and submissions -------------------------------------------------------------


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency_request = queries.get_request_for_user(request.user, pk)
    record_activity(actor=request.user, action="review.request_viewed", target=agency_request)
    answering = (
        agency_request.status == RequestStatus.REQUESTED
        and agency_request.agency_id in workflow.lead_agency_ids(request.user)
    )
    form = forms.SubmissionForm(data=request.POST or None, files=request.FILES or None) if answering else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.submit_to_request(
                actor=request.user,
                request=agency_request,
                involvement=d["involvement"],
                analysis=d["analysis"],
                learning=d["learning"],
                immediate_actions=d["immediate_actions"],
                upload=_upload(d["document"]) if d.get("document") else None,
            ),
        ):
            messages.success(request, "Submitted. The partnership business unit has your agency's answer.")
            return redirect("reviews:request", pk=agency_request.pk)
    submission = Submission.objects.filter(request=agency_request).select_related("document", "submitted_by").first()
    return render(
        request,
        "reviews/request.html",
        {
            "req": agency_request,
            "form": form,
            "submission": submission,
            "pseudonyms": [c.pseudonym for c in agency_request.review.child_links.all()],
        },
    )


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored document, for those who may see what it belongs to (404 otherwise)."""
    try:
        doc = Document.objects.get(pk=queries._pk(pk))
    except Document.DoesNotExist as exc:
        raise Http404 from exc
    submission = Submission.objects.filter(document=doc).select_related("request").first()
    draft = ReportDraft.objects.filter(document=doc).select_related("practice_review").first()
    if submission is not None:
        allowed = queries.requests_visible_to(request.user).filter(pk=submission.request_id).exists() or (
            queries.reviews_visible_to(request.user).filter(pk=submission.request.review_id).exists()
        )
    elif draft is not None:
        allowed = queries.reviews_visible_to(request.user).filter(pk=draft.practice_review.review_id).exists()
    else:
        allowed = False
    if not allowed:
        raise Http404
    record_activity(actor=request.user, action="review.document_downloaded", target=doc)
    response = HttpResponse(bytes(doc.content), content_type="application/octet-stream")
    safe_name = "".join(c for c in doc.filename if c.isalnum() or c in "._- ") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response
