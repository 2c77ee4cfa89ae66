"""Learning event pages and the reports. Thin: fetch through the access helper (`queries`), validate with a
form, call a service, redirect with a message. What the person may not see answers 404; state changes
are POST only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.core.access import get_or_404
from safeguarding.escalations.forms import PeriodForm
from safeguarding.learning import forms, permissions, queries, reports, services
from safeguarding.learning.enums import EventStatus
from safeguarding.learning.models import (
    Attendance,
    Evaluation,
    FollowUpRequest,
    FollowUpResponse,
    LearningEvent,
    Registration,
)
from safeguarding.reviews.queries import get_review_for_user


def add_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError shown against the form's fields (or at the top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            if name in ("starts_at", "ends_at") and "end_time" in form.fields:
                target = "end_time"
            form.add_error(target, errors)
    else:
        form.add_error(None, exc)


def _me(request: HttpRequest) -> int:
    """The signed-in person's id (every view here requires sign-in)."""
    return int(request.user.pk or 0)


def _require(condition: Any) -> None:
    if not condition:
        raise Http404


@login_required
def events(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require(permissions.is_person(user))
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
    mine = set(
        Registration.objects.filter(
            user_id=user.pk, cancelled_at__isnull=True, event_id__in=[e.pk for e in page.object_list]
        ).values_list("event_id", flat=True)
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
            "rows": [(e, e.pk in mine) for e in page.object_list],
            "query": query.urlencode(),
            "can_manage": permissions.can_manage_learning(user),
            "can_read_reports": permissions.can_read_reports(user),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    event = queries.get_event_for_user(user, pk)
    registration = queries.active_registration(user, event)
    attendance = Attendance.objects.filter(event=event, user_id=user.pk).first()
    attended = attendance is not None and attendance.attended
    can_see_all = queries.can_see_registrations(user, event)
    invited = permissions.is_invited(user, event)
    return render(
        request,
        "learning/detail.html",
        {
            "event": event,
            "registration": registration,
            "invited": invited,
            "can_register": invited
            and registration is None
            and event.status == EventStatus.PUBLISHED
            and not event.has_ended,
            "can_cancel": registration is not None and attendance is None and not event.has_ended,
            "can_manage": permissions.can_manage_learning(user),
            "can_record_attendance": permissions.can_record_attendance(user, event),
            "can_see_all": can_see_all,
            "attended": attended,
            "can_evaluate": attended and not Evaluation.objects.filter(event=event, user_id=user.pk).exists(),
            "can_follow_up": attended
            and FollowUpRequest.objects.filter(event=event, user_id=user.pk).exists()
            and not FollowUpResponse.objects.filter(event=event, user_id=user.pk).exists(),
            "registered_count": event.places_taken,
            "attended_count": Attendance.objects.filter(event=event, attended=True).count() if can_see_all else None,
            "invitations": list(event.invitations.all()),
        },
    )


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    try:
        services.register_for_event(actor=request.user, event=event)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"You have a place on {event.title}.")
    return redirect("learning:detail", pk=event.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    try:
        services.cancel_registration(actor=request.user, event=event)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your place is cancelled. Someone else can now take it.")
    return redirect("learning:detail", pk=event.pk)


def _event_form_page(request: HttpRequest, *, event: LearningEvent | None, review: Any = None) -> HttpResponse:
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
def create(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_learning(request.user))
    return _event_form_page(request, event=None)


@login_required
def create_from_review(request: HttpRequest, review_pk: int) -> HttpResponse:
    _require(permissions.can_manage_learning(request.user))
    review = get_review_for_user(request.user, review_pk)
    return _event_form_page(request, event=None, review=review)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_learning(request.user))
    event = queries.get_event_for_user(request.user, pk)
    return _event_form_page(request, event=event, review=event.review)


@login_required
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_learning(request.user))
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
def remove_invitation(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    _require(permissions.can_manage_learning(request.user))
    event = queries.get_event_for_user(request.user, pk)
    invitation = get_or_404(event.invitations.all(), invitation_pk)
    services.remove_invitation(actor=request.user, invitation=invitation)
    messages.success(request, "Invitation removed. People already registered keep their place.")
    return redirect("learning:invitations", pk=event.pk)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.get_event_for_user(request.user, pk)
    _require(permissions.can_record_attendance(request.user, event))
    registrations = list(queries.registrations_visible_to(request.user, event).filter(cancelled_at__isnull=True))
    came = set(Attendance.objects.filter(event=event, attended=True).values_list("user_id", flat=True))
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
    return render(request, "learning/attendance.html", {"event": event, "form": form, "registrations": registrations})


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
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
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
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
def report(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_read_reports(request.user))
    form = PeriodForm(data=request.GET or None)
    period = reports.Period()
    if form.is_bound and form.is_valid():
        period = reports.Period(form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    return render(request, "learning/report.html", {"form": form, "reports": reports.build_reports(period)})
