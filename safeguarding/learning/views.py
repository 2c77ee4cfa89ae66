"""Learning event pages and the reports. Thin: fetch through the access helper (`queries`), validate with a
form, call a service, redirect with a message. What the person may not see answers 404; state changes
are POST only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.core.access import get_or_404, require_perm
from safeguarding.core.forms import add_service_errors
from safeguarding.escalations.forms import PeriodForm
from safeguarding.learning import forms, queries, reports, services, walk_ins
from safeguarding.learning.enums import EventStatus, RegistrationStatus
from safeguarding.learning.models import (
    Attendance,
    Evaluation,
    FollowUpRequest,
    FollowUpResponse,
    LearningEvent,
    Registration,
)
from safeguarding.reviews.queries import get_review_for_user

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def add_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError on the form; an event's times are shown against its end time."""

    def field_for(name: str) -> str | None:
        if name in ("starts_at", "ends_at") and "end_time" in form.fields:
            return "end_time"
        return name if name in form.fields else None

    add_service_errors(form, exc, field_for)


def _me(request: PersonRequest) -> int:
    """The signed-in person's id (every view here requires sign-in)."""
    return int(request.user.pk or 0)


@login_required
def events(request: PersonRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "learning.use")
    form = forms.EventFilterForm(data=request.GET or None)
    when = request.GET.get("when") if request.GET.get("when") in ("upcoming", "past") else "upcoming"
    qs = queries.with_related(queries.events_visible_to(user))
    qs = qs.past().order_by("-starts_at", "-pk") if when == "past" else qs.upcoming().order_by("starts_at", "pk")
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("theme"):
            qs = qs.filter(themes=form.cleaned_data["theme"])
        if form.cleaned_data.get("kind"):
            qs = qs.filter(kind=form.cleaned_data["kind"])
    page = Paginator(qs.distinct(), 25).get_page(request.GET.get("page"))
    mine = dict(
        Registration.objects.live()
        .filter(user_id=user.pk, event_id__in=[e.pk for e in page.object_list])
        .values_list("event_id", "status")
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("when", None)
    return render(
        request,
        "learning/events.html",
        {
            "form": form,
            "when": when,
            "page": page,
            "rows": [(e, mine.get(e.pk)) for e in page.object_list],
            "query": query.urlencode(),
        },
    )


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    event = queries.get_event_for_user(user, pk)
    registration = queries.active_registration(user, event)
    attendance = Attendance.objects.filter(event=event, user_id=user.pk).first()
    attended = attendance is not None and attendance.attended
    can_see_all = user.has_perm("learning.see_registrations", event)
    invited = user.has_perm("learning.register", event)
    open_for_registration = event.status == EventStatus.PUBLISHED and not event.has_ended
    places = list(queries.registrations_visible_to(user, event).with_place()) if can_see_all else []
    came = set(Attendance.objects.filter(event=event).values_list("registration_id", flat=True)) if places else set()
    return render(
        request,
        "learning/detail.html",
        {
            "event": event,
            "registration": registration,
            "waiting_position": queries.waiting_position(registration) if registration else None,
            "waiting_count": queries.waiting_count(event),
            "invited": invited,
            "can_register": invited and registration is None and attendance is None and open_for_registration,
            "waiting_list_open": not event.has_started,
            "can_cancel": registration is not None and attendance is None and not event.has_ended,
            "attended": attended,
            "walked_in": attendance is not None and attendance.walk_in,
            "can_evaluate": attended and not Evaluation.objects.filter(event=event, user_id=user.pk).exists(),
            "can_follow_up": attended
            and FollowUpRequest.objects.filter(event=event, user_id=user.pk).exists()
            and not FollowUpResponse.objects.filter(event=event, user_id=user.pk).exists(),
            "registered_count": event.places_taken,
            "attended_count": Attendance.objects.filter(event=event, attended=True).count() if can_see_all else None,
            "walk_in_count": Attendance.objects.filter(event=event, walk_in=True).count() if can_see_all else None,
            "places": [(r, r.pk not in came) for r in places],
            "waiting_list": list(queries.waiting_list(event)) if can_see_all else [],
            "invitations": list(event.invitations.all()),
        },
    )


@login_required
@require_POST
def register(request: PersonRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    try:
        registration = services.register_for_event(actor=request.user, event=event)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        if registration.is_waiting:
            position = queries.waiting_position(registration)
            messages.success(
                request,
                f"This event is full, so you are on the waiting list: you are number {position}. If a place "
                "comes free it will be yours, and we will email you.",
            )
        else:
            messages.success(request, f"You have a place on {event.title}.")
    return redirect("learning:detail", pk=event.pk)


@login_required
@require_POST
def cancel(request: PersonRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    try:
        registration = services.cancel_registration(actor=request.user, event=event)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        if registration.status == RegistrationStatus.WAITING:
            messages.success(request, "You have left the waiting list.")
        else:
            messages.success(request, "Your place is cancelled. Someone else can now take it.")
    return redirect("learning:detail", pk=event.pk)


@login_required
@require_POST
def remove_registration(request: PersonRequest, pk: int, registration_pk: int) -> HttpResponse:
    """The organisers take someone off the event: their place or their place on the waiting list."""
    event = queries.get_event_for_user(request.user, pk)
    require_perm(request.user, "learning.organise", event)
    registration = get_or_404(Registration.objects.live().filter(event=event).select_related("user"), registration_pk)
    try:
        services.remove_registration(actor=request.user, registration=registration)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        what = "from the waiting list" if registration.status == RegistrationStatus.WAITING else "from the event"
        messages.success(request, f"{registration.user} is taken off {what} and has been told by email.")
    return redirect("learning:detail", pk=event.pk)


def _event_form_page(request: PersonRequest, *, event: LearningEvent | None, review: Any = None) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {}
    if event is not None:
        initial = forms.EventForm.initial_for(event)
    elif review is not None:
        prefill = services.case_study_from_review(review)
        initial = {
            "kind": "workshop",
            "title": prefill.title,
            "case_study": prefill.case_study,
            "themes": prefill.themes,
        }
    form = forms.EventForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        themes = list(form.cleaned_data.get("themes") or [])
        try:
            if event is None:
                saved = services.create_event(actor=user, themes=themes, review=review, **fields)
                messages.success(
                    request,
                    "Event created: now invite people."
                    + (" It is published." if saved.status == EventStatus.PUBLISHED else " It is a draft."),
                )
                return redirect("learning:invitations", pk=saved.pk)
            saved = services.update_event(
                actor=user, event=event, version=form.cleaned_data.get("version") or 0, themes=themes, **fields
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except services.LearningError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Event saved.")
            return redirect("learning:detail", pk=saved.pk)
    return render(request, "learning/event_form.html", {"form": form, "event": event, "review": review})


@login_required
def create(request: PersonRequest) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    return _event_form_page(request, event=None)


@login_required
def create_from_review(request: PersonRequest, review_pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    review = get_review_for_user(request.user, review_pk)
    return _event_form_page(request, event=None, review=review)


@login_required
def edit(request: PersonRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    event = queries.get_event_for_user(request.user, pk)
    return _event_form_page(request, event=event, review=event.review)


@login_required
def invitations(request: PersonRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    event = queries.get_event_for_user(request.user, pk)
    form = forms.InvitationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_invitation(
                actor=request.user,
                event=event,
                agency=data.get("agency"),
                agency_kind=data.get("agency_kind") or "",
                role=data.get("role") or "",
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Invitation added.")
            return redirect("learning:invitations", pk=event.pk)
    return render(
        request,
        "learning/invitations.html",
        {"event": event, "form": form, "invitations": event.invitations.select_related("agency")},
    )


@login_required
@require_POST
def remove_invitation(request: PersonRequest, pk: int, invitation_pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    event = queries.get_event_for_user(request.user, pk)
    invitation = get_or_404(event.invitations.all(), invitation_pk)
    services.remove_invitation(actor=request.user, invitation=invitation)
    messages.success(request, "Invitation removed. People already registered keep their place.")
    return redirect("learning:invitations", pk=event.pk)


@login_required
def attendance(request: PersonRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    require_perm(request.user, "learning.record_attendance", event)
    registrations = list(queries.registrations_visible_to(request.user, event).with_place())
    came = set(Attendance.objects.filter(event=event, attended=True, walk_in=False).values_list("user_id", flat=True))
    form = forms.AttendanceForm(
        data=request.POST or None,
        registrations=registrations,
        initial={"attended": [str(r.user_id) for r in registrations if r.user_id in came]},
    )
    if request.method == "POST" and form.is_valid():
        ticked = {int(v) for v in form.cleaned_data["attended"]}
        try:
            services.record_attendance(
                actor=request.user, event=event, attended={r.user_id: r.user_id in ticked for r in registrations}
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except services.LearningError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Attendance recorded: {len(ticked)} of {len(registrations)} came.")
            return redirect("learning:detail", pk=event.pk)
    return render(
        request,
        "learning/attendance.html",
        {
            "event": event,
            "form": form,
            "registrations": registrations,
            "walk_ins": list(
                Attendance.objects.filter(event=event, walk_in=True)
                .select_related("user", "agency")
                .order_by("recorded_at", "pk")
            ),
        },
    )


@login_required
def walk_in(request: PersonRequest, pk: int) -> HttpResponse:
    """Record someone who came without registering: a person with an account, or by hand."""
    event = queries.get_event_for_user(request.user, pk)
    require_perm(request.user, "learning.record_attendance", event)
    posted = request.POST.get("who") if request.method == "POST" else None
    # Two forms on one page, told apart by the button pressed (and prefixed, so their ids differ).
    person_form = forms.WalkInPersonForm(
        data=request.POST if posted == "person" else None, event=event, prefix="person"
    )
    by_hand_form = forms.WalkInByHandForm(
        data=request.POST if posted == "by-hand" else None, event=event, prefix="by-hand"
    )
    form = person_form if posted == "person" else by_hand_form if posted == "by-hand" else None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = walk_ins.record_walk_in(
                actor=request.user,
                event=event,
                user=data.get("user"),
                name=data.get("name") or "",
                agency=data.get("agency"),
                role=data.get("role") or "",
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except services.LearningError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{recorded.who} is recorded as a walk-in.")
            return redirect("learning:attendance", pk=event.pk)
    return render(
        request,
        "learning/walk_in.html",
        {
            "event": event,
            "person_form": person_form,
            "by_hand_form": by_hand_form,
            "form": form,
            "started": event.has_started,
        },
    )


@login_required
@require_POST
def remove_walk_in(request: PersonRequest, pk: int, attendance_pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    require_perm(request.user, "learning.record_attendance", event)
    row = get_or_404(Attendance.objects.filter(event=event, walk_in=True).select_related("user"), attendance_pk)
    try:
        walk_ins.remove_walk_in(actor=request.user, attendance=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{row.who} is no longer recorded as a walk-in.")
    return redirect("learning:attendance", pk=event.pk)


@login_required
def evaluate(request: PersonRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    form = forms.EvaluationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_evaluation(
                actor=request.user,
                event=event,
                confidence_before=data["confidence_before"],
                confidence_after=data["confidence_after"],
                practice_change=data["practice_change"],
                comments=data.get("comments") or "",
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except services.LearningError as exc:
            messages.error(request, exc.message)
            return redirect("learning:detail", pk=event.pk)
        else:
            messages.success(request, "Thank you: your evaluation is saved.")
            return redirect("learning:detail", pk=event.pk)
    elif not Attendance.objects.filter(event=event, user_id=_me(request), attended=True).exists():
        messages.error(request, "You can evaluate an event only after attending it.")
        return redirect("learning:detail", pk=event.pk)
    return render(request, "learning/evaluate.html", {"event": event, "form": form})


@login_required
def follow_up(request: PersonRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    form = forms.FollowUpForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_follow_up(
                actor=request.user,
                event=event,
                practice_changed=form.cleaned_data["practice_changed"],
                example=form.cleaned_data.get("example") or "",
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except services.LearningError as exc:
            messages.error(request, exc.message)
            return redirect("learning:detail", pk=event.pk)
        else:
            messages.success(request, "Thank you: your answer is saved.")
            return redirect("learning:detail", pk=event.pk)
    elif not FollowUpRequest.objects.filter(event=event, user_id=_me(request)).exists():
        messages.error(request, "The follow-up survey opens when you are sent it, after the event's follow-up period.")
        return redirect("learning:detail", pk=event.pk)
    return render(request, "learning/follow_up.html", {"event": event, "form": form})


@login_required
def report(request: PersonRequest) -> HttpResponse:
    require_perm(request.user, "learning.read_reports")
    form = PeriodForm(data=request.GET or None)
    period = reports.Period()
    if form.is_bound and form.is_valid():
        period = reports.Period(form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    return render(request, "learning/report.html", {"form": form, "reports": reports.build_reports(period)})
