"""What a review asks of the agencies and what they answer: requests for a summary, chronology or
report, the reminders, and the agency's submission (a chronology file imported all or nothing).
Emails name no child."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.calendar import add_working_days
from safeguarding.core.dates import long_date
from safeguarding.core.services import record_activity
from safeguarding.reviews import clocks
from safeguarding.reviews.enums import RequestKind, RequestStatus, Stage
from safeguarding.reviews.models import AgencyRequest, Review, Submission
from safeguarding.reviews.permissions import answers_for_agency, can_run_review, request_is_open
from safeguarding.reviews.services.common import Upload, locked, required_text, store_document, today_of

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# Agency chronologies and reports are requested for a practice review; summaries for the rapid review.
REQUEST_STAGES = {
    RequestKind.AGENCY_SUMMARY: frozenset({Stage.NOTIFIED, Stage.RAPID_REVIEW}),
    RequestKind.CHRONOLOGY: frozenset({Stage.RAPID_REVIEW, Stage.DECISION, Stage.IN_PROGRESS}),
    RequestKind.AGENCY_REPORT: frozenset({Stage.IN_PROGRESS}),
}


@kernel.service
def request_from_agency(
    *,
    actor: Person,
    review: Review,
    agency: Agency,
    kind: str,
    due_on: date | None = None,
    note: str = "",
    at: datetime | None = None,
) -> AgencyRequest:
    """Ask an agency's safeguarding lead for a summary, chronology or report (default: summary by day 10)."""
    current = locked(review)
    kernel.require(can_run_review(actor, current), "Only the business unit or the review's chair can send requests.")
    kernel.require(
        current.stage in REQUEST_STAGES[RequestKind(kind)],
        f"This kind of request cannot be sent at the {current.get_stage_display().lower()} stage.",
    )
    if not agency.is_active:
        raise ValidationError({"agency": "Choose an agency that is still active in the partnership."})
    if (
        AgencyRequest.objects.filter(review=current, agency=agency, kind=kind)
        .exclude(status=RequestStatus.WITHDRAWN)
        .exists()
    ):
        raise ValidationError({"agency": "This agency has already been asked for this. Remind it instead."})
    today = today_of(at)
    if due_on is None:
        if kind == RequestKind.AGENCY_SUMMARY:
            # Day 10 of the rapid review's clock (the same start as its due date); today when asked later.
            due_on = max(clocks.agency_summary_due(current.rapid_review.opened_on), today)
        else:
            due_on = add_working_days(today, 20)
    if due_on < today:
        raise ValidationError({"due_on": "The due date must be today or later."})
    request = AgencyRequest.objects.create(
        review=current,
        agency=agency,
        kind=kind,
        note=note.strip(),
        due_on=due_on,
        requested_by=actor,
        requested_at=kernel.now(at),
    )
    record_activity(actor=actor, action="review.request_sent", target=request, changes={"agency": [None, agency.code]})
    _email_leads(request, f"The partnership has asked your agency for: {request.get_kind_display()}.")
    return request


def _email_leads(request: AgencyRequest, headline: str) -> None:
    """Emails name no child: the review reference, what is asked, the due date, and where to answer."""
    User = get_user_model()
    to = list(
        User.objects.filter(
            is_active=True,
            is_system=False,
            email__gt="",
            memberships__agency_id=request.agency_id,
            memberships__role=Role.SAFEGUARDING_LEAD,
            memberships__is_active=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )
    if not to:
        return
    body = (
        f"{headline}\n\nReview: {request.review.reference}\nDue by: {long_date(request.due_on)}\n\n"
        "Sign in to the Safeguarding Hub and open Case reviews to answer."
    )
    message = (f"Case review {request.review.reference}: {request.get_kind_display()}", body, None, to)
    transaction.on_commit(lambda: send_mass_mail([message], fail_silently=True))


@kernel.service
def remind_agency(*, actor: Person | None = None, request: AgencyRequest, today: date) -> bool:
    """Remind the agency of one open request, once a day (the scheduled job's step; `actor` None).
    The conditional UPDATE is the check: two workers cannot both remind for the same day."""
    pending = AgencyRequest.objects.filter(pk=request.pk, status=RequestStatus.REQUESTED).exclude(
        last_reminded_on=today
    )
    if not pending.update(last_reminded_on=today, reminders_sent=request.reminders_sent + 1):
        kernel.unchanged()
        return False
    late = "is overdue" if request.due_on < today else f"is due by {long_date(request.due_on)}"
    _email_leads(request, f"Reminder: the {request.get_kind_display().lower()} {late}.")
    record_activity(actor=actor, action="review.request_reminded", target=request)
    return True


def send_request_reminders(*, today: date | None = None) -> int:
    """Remind agencies whose requests are due within 2 working days or overdue (once a working day).
    Each reminder is its own transaction, so one failure does not undo the others."""
    today = today or timezone.localdate()
    soon = add_working_days(today, 2)
    pending = AgencyRequest.objects.filter(status=RequestStatus.REQUESTED, due_on__lte=soon).exclude(
        last_reminded_on=today
    )
    return sum(
        remind_agency(actor=None, request=request, today=today)
        for request in pending.select_related("review", "agency")
    )


@kernel.service
def submit_to_request(
    *,
    actor: Person,
    request: AgencyRequest,
    involvement: str,
    analysis: str = "",
    learning: str = "",
    immediate_actions: str = "",
    upload: Upload | None = None,
    at: datetime | None = None,
) -> Submission:
    """The agency's answer. A chronology file is imported into the review chronology, all or nothing."""
    current = kernel.lock(AgencyRequest.objects.select_related("review", "agency"), request.pk, noun="request")
    kernel.require(
        answers_for_agency(actor, current),
        "Only the agency's safeguarding lead (or its system) can answer this request.",
    )
    kernel.require(request_is_open(current), "This request has already been answered or was withdrawn.")
    errors: dict[str, str] = {}
    involvement = required_text(errors, "involvement", involvement, "Describe your agency's involvement.")
    if current.kind != RequestKind.AGENCY_SUMMARY and upload is None:
        errors["document"] = "Upload the agency's document."
    if errors:
        raise ValidationError(errors)
    document = store_document(actor=actor, upload=upload, at=at) if upload is not None else None
    submission = Submission.objects.create(
        request=current,
        submitted_by=actor,
        submitted_at=kernel.now(at),
        involvement=involvement,
        analysis=analysis.strip(),
        learning=learning.strip(),
        immediate_actions=immediate_actions.strip(),
        document=document,
    )
    if current.kind == RequestKind.CHRONOLOGY and upload is not None:
        from safeguarding.reviews.chronology import import_submission

        import_submission(submission, upload)
    AgencyRequest.objects.filter(pk=current.pk).update(status=RequestStatus.SUBMITTED)
    current.status = request.status = RequestStatus.SUBMITTED
    record_activity(actor=actor, action="review.submitted", target=submission)
    return submission
