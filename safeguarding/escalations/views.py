"""Escalation pages. Thin: fetch through the access helper, validate with a form, call a service,
redirect with a message. Anything the person may not see answers 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.core.access import get_or_404, perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.sections import sections_for
from safeguarding.core.services import record_activity
from safeguarding.escalations import forms, queries, reports, services
from safeguarding.escalations.enums import FINISHED_STATUSES, OPEN_STATUSES, Action
from safeguarding.escalations.models import Escalation
from safeguarding.escalations.workflow import WORKFLOW, allowed_actions

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("escalations.use")
def inbox(request: PersonRequest) -> HttpResponse:
    user = request.user
    waiting = queries.awaiting_action_by(user)
    waiting_ids = {e.pk for e, _ in waiting}
    visible = queries.with_related(queries.escalations_visible_to(user))
    others = [
        e for e in visible.filter(status__in=OPEN_STATUSES).order_by("stage_due_at")[:200] if e.pk not in waiting_ids
    ]
    finished = list(visible.filter(status__in=FINISHED_STATUSES).order_by("-finished_at")[:20])
    return render(
        request,
        "escalations/inbox.html",
        {"waiting": waiting, "others": others, "finished": finished},
    )


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    esc = queries.get_escalation_for_user(request.user, pk)
    shown = queries.children_shown_to(request.user, esc)
    evidence, hidden_evidence = queries.evidence_shown_to(request.user, esc, shown.visible)
    services.record_escalation_view(actor=request.user, escalation=esc, children=shown.visible)
    actions = allowed_actions(request.user, esc)
    return render(
        request,
        "escalations/detail.html",
        {
            "esc": esc,
            "children": shown.visible,
            "hidden_children": shown.hidden_count,
            "evidence": evidence,
            "hidden_evidence": hidden_evidence,
            "steps": esc.steps.select_related("actor", "actor_agency"),
            "responses": esc.responses.select_related("responded_by", "agency", "stage"),
            "visits": esc.visits.select_related("stage"),
            "agreed_actions": [
                (a, a.is_overdue(timezone.localdate()))
                for a in esc.actions.select_related("owner_agency", "stage", "done_by")
            ],
            "actions": [(a, WORKFLOW[a].label) for a in actions],
            "now": timezone.now(),
            "sections": sections_for("escalation", request, esc),
        },
    )


ACTION_PAGES: dict[str, dict[str, Any]] = {
    Action.RESPONDED: {"title": "Respond to the escalation", "button": "Send response", "form": forms.RespondForm},
    Action.OUTCOME_RECORDED: {
        "title": "Record the outcome and agreed actions",
        "button": "Record outcome",
        "form": forms.OutcomeForm,
    },
    Action.ACCEPTED: {"title": "Accept the outcome", "button": "Accept and resolve", "form": forms.AcceptForm},
    Action.ESCALATED: {"title": "Move to the next stage", "button": "Move to the next stage", "form": forms.ReasonForm},
    Action.RESOLVED_BY_REFERRAL: {
        "title": "Resolve by referral",
        "button": "Resolve by referral",
        "form": forms.ReasonForm,
        "intro": "Use this when the child's immediate safety is being dealt with another way, such as a referral "
        "to children's social care or to the police. Say what was done.",
    },
    Action.CLOSED: {
        "title": "Withdraw and close the escalation",
        "button": "Close the escalation",
        "form": forms.ReasonForm,
    },
    Action.FLAGGED_FOR_LEARNING: {
        "title": "Flag for the learning group",
        "button": "Flag for learning",
        "form": forms.LearningForm,
    },
}

URL_ACTIONS = {
    "respond": Action.RESPONDED,
    "outcome": Action.OUTCOME_RECORDED,
    "accept": Action.ACCEPTED,
    "escalate": Action.ESCALATED,
    "referral": Action.RESOLVED_BY_REFERRAL,
    "close": Action.CLOSED,
    "learning": Action.FLAGGED_FOR_LEARNING,
}
ACTION_URLS = {action: slug for slug, action in URL_ACTIONS.items()}


def _run(action: str, request: PersonRequest, esc: Escalation, data: dict[str, Any], action_forms: Any) -> None:
    user, version = request.user, data["version"]
    if action == Action.RESPONDED:
        services.respond_to_escalation(
            actor=user,
            escalation=esc,
            version=version,
            kind=data["kind"],
            reasons=data["reasons"],
            proposal=data.get("proposal", ""),
            level_of_need=data.get("level_of_need"),
        )
    elif action == Action.OUTCOME_RECORDED:
        items = [
            services.ActionInput(
                f.cleaned_data["description"],
                f.cleaned_data["owner_agency"],
                f.cleaned_data["owner_name"],
                f.cleaned_data["due_on"],
            )
            for f in action_forms
            if f.cleaned_data.get("description")
        ]
        services.record_outcome(actor=user, escalation=esc, version=version, outcome=data["outcome"], actions=items)
    elif action == Action.ACCEPTED:
        services.accept_outcome(actor=user, escalation=esc, version=version, note=data.get("note", ""))
    elif action == Action.ESCALATED:
        services.escalate_to_next_stage(actor=user, escalation=esc, version=version, reason=data["reason"])
    elif action == Action.RESOLVED_BY_REFERRAL:
        services.resolve_by_referral(actor=user, escalation=esc, version=version, reason=data["reason"])
    elif action == Action.CLOSED:
        services.close_escalation(actor=user, escalation=esc, version=version, reason=data["reason"])
    elif action == Action.FLAGGED_FOR_LEARNING:
        services.flag_for_learning(actor=user, escalation=esc, version=version, note=data["note"])


DONE_MESSAGES = {
    Action.RESPONDED: "Response sent. The raising agency has been told.",
    Action.OUTCOME_RECORDED: "Outcome recorded. The raising agency can now accept it or move to the next stage.",
    Action.ACCEPTED: "Outcome accepted. The escalation is resolved.",
    Action.ESCALATED: "Moved to the next stage. The people taking part have been told.",
    Action.RESOLVED_BY_REFERRAL: "The escalation is resolved by referral.",
    Action.CLOSED: "The escalation is closed.",
    Action.FLAGGED_FOR_LEARNING: "Flagged for the learning group.",
}


@login_required
def act(request: PersonRequest, pk: int, slug: str) -> HttpResponse:
    action = URL_ACTIONS.get(slug)
    esc = queries.get_escalation_for_user(request.user, pk)
    if action is None:
        raise Http404
    page = ACTION_PAGES[action]
    if not request.user.has_perm(f"escalations.{action}", esc):
        messages.error(request, WORKFLOW[action].not_allowed)
        return redirect("escalations:detail", pk=esc.pk)
    form = page["form"](data=request.POST or None, initial={"version": esc.version})
    action_forms = None
    if action == Action.OUTCOME_RECORDED:
        agencies = Agency.objects.filter(pk__in=[esc.raising_agency_id, esc.receiving_agency_id])
        action_forms = forms.AgreedActionFormSet(
            data=request.POST or None, prefix="actions", form_kwargs={"agencies": agencies}
        )
    valid = request.method == "POST" and form.is_valid() and (action_forms is None or action_forms.is_valid())
    if valid and attempt(form, lambda: _run(action, request, esc, form.cleaned_data, action_forms)):
        messages.success(request, DONE_MESSAGES[action])
        return redirect("escalations:detail", pk=esc.pk)
    return render(
        request,
        "escalations/action.html",
        {"esc": esc, "form": form, "action_forms": action_forms, "page": page, "action": action},
    )


def _period(request: PersonRequest) -> tuple[forms.PeriodForm, reports.Period]:
    form = forms.PeriodForm(data=request.GET or None)
    if form.is_bound and form.is_valid():
        return form, reports.Period(form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    return form, reports.Period()


@login_required
@perm_required("escalations.view_log")
def log(request: PersonRequest) -> HttpResponse:
    form, period = _period(request)
    rows = reports.escalations_in(period).order_by("-raised_at", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    shown = queries.visible_child_ids(request.user, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    record_activity(actor=request.user, action="escalation.log_viewed", changes={"rows": page.paginator.count})
    return render(
        request,
        "escalations/log.html",
        {
            "form": form,
            "period": period,
            "page": page,
            "rows": [(e, shown[e.pk]) for e in page.object_list],
            "query": query.urlencode(),
        },
    )


@login_required
@perm_required("escalations.view_log")
def report(request: PersonRequest) -> HttpResponse:
    form, period = _period(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "escalations/report.html",
        {"form": form, "report": reports.build_report(period), "query": query.urlencode()},
    )


@login_required
@perm_required("escalations.view_log")
def report_csv(request: PersonRequest) -> HttpResponse:
    _, period = _period(request)
    record_activity(actor=request.user, action="escalation.log_exported", changes={"format": "csv"})
    response = HttpResponse(reports.log_csv(period), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="escalation-log-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@login_required
@perm_required("escalations.view_log")
def report_pdf(request: PersonRequest) -> HttpResponse:
    _, period = _period(request)
    built = reports.build_report(period)
    html = render_to_string("escalations/report_pdf.html", {"report": built, "generated": timezone.now()})
    record_activity(actor=request.user, action="escalation.log_exported", changes={"format": "pdf"})
    response = HttpResponse(reports.report_pdf(html, request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="escalation-report-{timezone.localdate():%Y-%m-%d}.pdf"'
    return response


@login_required
def agreed_action_done(request: PersonRequest, pk: int, action_pk: int) -> HttpResponse:
    esc = queries.get_escalation_for_user(request.user, pk)
    action = get_or_404(esc.actions.select_related("owner_agency", "stage"), action_pk)
    if action.done_on is not None:
        raise Http404
    require_perm(request.user, "escalations.complete_agreed_action", action)
    form = forms.ActionDoneForm(
        data=request.POST or None, initial={"done_on": timezone.localdate().strftime("%d/%m/%Y")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.complete_agreed_action(
                actor=request.user, action=action, done_on=data["done_on"], note=data["note"]
            ),
        ):
            messages.success(request, "The action is recorded as done.")
            return redirect("escalations:detail", pk=esc.pk)
    return render(request, "escalations/action_done.html", {"esc": esc, "action": action, "form": form})


@login_required
@perm_required("escalations.view_log")
def learning(request: PersonRequest) -> HttpResponse:
    rows = (
        queries.with_related(Escalation.objects.filter(flagged_for_learning=True))
        .select_related("flagged_by")
        .order_by("-flagged_at")
    )
    return render(
        request,
        "escalations/learning.html",
        {"rows": rows, "finished": FINISHED_STATUSES},
    )
