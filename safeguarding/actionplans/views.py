"""Action plan pages. Thin: fetch through the access helper (404 for what the person may not see; 403
for a change they may not make to something they may see), validate with a form, call a service,
redirect with a message. State changes are POST-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.actionplans import forms, permissions, queries, services
from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import Action, ActionPlan, ActionPlanVersion, ActionUpdate, CommitteeDecision
from safeguarding.actionplans.versions import COMPARED_FIELDS, accepted_version, changes_since
from safeguarding.core import kernel
from safeguarding.core.access import get_or_404, perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.services import record_activity
from safeguarding.reviews.models import Document, Review
from safeguarding.reviews.queries import reviews_visible_to

if TYPE_CHECKING:
    from safeguarding.core.types import Person, PersonRequest


def _uploads(files: list[Any]) -> list[services.Upload]:
    return [
        services.Upload(f.name, f.read(), getattr(f, "content_type", "") or "application/octet-stream") for f in files
    ]


def _label(enum: Any, value: str) -> str:
    return str(enum(value).label) if value in enum.values else value


def _manager_or_403(user: Person) -> None:
    """A change only managers make, to something the person may see: 403 for others."""
    require_perm(user, "actionplans.manage", hidden=False)


def _form_page(request: PersonRequest, form: Any, *, title: str, button: str, **context: Any) -> HttpResponse:
    return render(request, "actionplans/form.html", {"form": form, "title": title, "button": button, **context})


# ---- plans ------------------------------------------------------------------------------------------


@login_required
@perm_required("actionplans.use")
def index(request: PersonRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form = forms.FilterForm(data=request.GET or None)
    plans = queries.plans_visible_to(user).select_related("review", "chair")
    visible_actions = queries.actions_visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["source"]:
            plans = plans.filter(source=data["source"])
        if data["status"]:
            plans = plans.filter(Exists(visible_actions.filter(plan=OuterRef("pk"), status=data["status"])))
        if data["overdue"]:
            plans = plans.filter(Exists(visible_actions.overdue(today).filter(plan=OuterRef("pk"))))
    rows = list(plans.order_by("-created_at", "-pk")[:200])
    actions = list(visible_actions.filter(plan__in=[p.pk for p in rows]))
    listed = [(p, services.progress_of([a for a in actions if a.plan_id == p.pk], today)) for p in rows]
    return render(
        request,
        "actionplans/index.html",
        {"form": form, "rows": listed},
    )


@login_required
@perm_required("actionplans.manage")
def new_plan(request: PersonRequest) -> HttpResponse:
    user = request.user
    review: Review | None = None
    if request.GET.get("review"):
        # Only a review this person may see (the reviews app's own rule).
        review = get_or_404(reviews_visible_to(user), request.GET["review"])
        existing = ActionPlan.objects.filter(review=review).first()
        if existing is not None:
            messages.info(request, "This review already has an action plan.")
            return redirect("actionplans:plan", pk=existing.pk)
    form = forms.PlanForm(data=request.POST or None, review=review, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[ActionPlan] = []
        if attempt(
            form,
            lambda: created.append(
                services.create_plan(
                    actor=user,
                    title=data["title"],
                    source=ActionSource.REVIEW if review is not None else data["source"],
                    review=review if review is not None else data.get("review"),
                    source_reference=data.get("source_reference") or "",
                    owner_group=data["owner_group"],
                    chair=data["chair"],
                    deputy_chair=data.get("deputy_chair"),
                )
            ),
        ):
            plan = created[0]
            messages.success(request, f"Action plan {plan.reference} created. Add its actions next.")
            return redirect("actionplans:plan", pk=plan.pk)
    return _form_page(
        request,
        form,
        title="Start the action plan" if review else "New action plan",
        button="Create the plan",
        caption=f"Case review {review.reference}: {review.title}" if review else "",
        back_url=f"/reviews/{review.pk}/" if review else "/action-plans/",
        back_label=f"Back to {review.reference}" if review else "Action plans",
    )


@login_required
def plan_detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = queries.get_plan_for_user(user, pk)
    today = timezone.localdate()
    actions = list(queries.plan_actions(user, plan))
    for a in actions:
        a.flag_overdue = a.is_overdue(today)  # type: ignore[attr-defined]
        a.flag_recheck_due = a.is_recheck_due(today)  # type: ignore[attr-defined]
    versions = list(plan.versions.select_related("created_by").prefetch_related("decisions"))
    accepted = accepted_version(plan)
    return render(
        request,
        "actionplans/plan.html",
        {
            "plan": plan,
            "today": today,
            "progress": services.plan_progress(plan, today, actions),
            "groups": services.recommendation_progress(plan, today, actions),
            "versions": versions,
            "accepted": accepted,
            "changes": changes_since(plan, accepted) if accepted is not None else [],
        },
    )


@login_required
def edit_plan(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = queries.get_plan_for_user(user, pk)
    _manager_or_403(user)
    initial = {
        "title": plan.title,
        "source_reference": plan.source_reference,
        "owner_group": plan.owner_group,
        "chair": plan.chair_id,
        "deputy_chair": plan.deputy_chair_id,
        "version": plan.version,
    }
    form = forms.EditPlanForm(data=request.POST or None, initial=initial, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields: dict[str, Any] = {k: data[k] for k in ("title", "owner_group", "chair", "deputy_chair") if k in data}
        if "source_reference" in form.fields:
            fields["source_reference"] = data["source_reference"]
        if attempt(form, lambda: services.edit_plan(actor=user, plan=plan, version=data["version"], **fields)):
            messages.success(request, "Plan saved.")
            return redirect("actionplans:plan", pk=plan.pk)
    return _form_page(
        request, form, title="Change the plan", button="Save the plan", plan=plan, caption=f"{plan.reference}"
    )


# ---- actions ----------------------------------------------------------------------------------------


@login_required
def add_action(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = queries.get_plan_for_user(user, pk)
    _manager_or_403(user)
    initial: dict[str, Any] = {}
    if request.GET.get("recommendation") and plan.review_id:
        initial["recommendation"] = request.GET["recommendation"]
    form = forms.ActionForm(data=request.POST or None, initial=initial, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added: list[Action] = []
        if attempt(
            form,
            lambda: added.append(
                services.add_action(
                    actor=user,
                    plan=plan,
                    recommendation=data.get("recommendation"),
                    description=data["description"],
                    lead_agency=data["lead_agency"],
                    lead_officer=data["lead_officer"],
                    start_on=data["start_on"],
                    due_on=data["due_on"],
                    success_measure=data["success_measure"],
                    recheck_on=data["recheck_on"],
                )
            ),
        ):
            messages.success(request, f"Action {added[0].reference} added.")
            return redirect("actionplans:plan", pk=plan.pk)
    return _form_page(request, form, title="Add an action", button="Add the action", plan=plan, caption=plan.reference)


@login_required
def edit_action(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    action = queries.get_action_for_user(user, pk)
    _manager_or_403(user)
    initial = {name: getattr(action, name) for name in services.ACTION_FIELDS}
    initial.update(
        version=action.version,
        start_on=action.start_on.strftime("%d/%m/%Y"),
        due_on=action.due_on.strftime("%d/%m/%Y"),
        recheck_on=action.recheck_on.strftime("%d/%m/%Y") if action.recheck_on else "",
    )
    form = forms.ActionForm(data=request.POST or None, initial=initial, plan=action.plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.ACTION_FIELDS if name in form.fields}
        version = data["version"] if data["version"] is not None else -1
        if attempt(form, lambda: services.edit_action(actor=user, action=action, version=version, **fields)):
            messages.success(request, f"Action {action.reference} saved.")
            return redirect("actionplans:action", pk=action.pk)
    return _form_page(
        request,
        form,
        title=f"Change action {action.reference}",
        button="Save the action",
        plan=action.plan,
        caption=action.plan.reference,
    )


def _recheck_form(user: Person, action: Any, data: Any = None, files: Any = None) -> forms.RecheckForm | None:
    """The "Record the re-check" form, for those who may record it now (None otherwise)."""
    if not user.has_perm("actionplans.record_recheck", action):
        return None
    today = timezone.localdate()
    return forms.RecheckForm(
        data=data,
        files=files,
        initial={"version": action.version, "rechecked_on": today.strftime("%d/%m/%Y")},
    )


def _action_page(request: PersonRequest, action: Any, *, form: Any, recheck_form: Any) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "actionplans/action.html",
        {
            "action": action,
            "plan": action.plan,
            "overdue": action.is_overdue(today),
            "recheck_due": action.is_recheck_due(today),
            "updates": action.updates.select_related("author").prefetch_related("evidence"),
            "form": form,
            "recheck_form": recheck_form,
            # Why a chair may not sign it off yet (the button shows when they may: `actionplans.sign_off`).
            "sign_off_blocker": (
                permissions.sign_off_blocker(user, action) if permissions.chairs_plan(user, action.plan) else None
            ),
        },
    )


@login_required
def action_detail(request: PersonRequest, pk: int) -> HttpResponse:
    """The action, its updates, and (for those who may) the "add an update" form, posted here, and the
    "record the re-check" form (posted to `recheck`)."""
    user = request.user
    action = queries.get_action_for_user(user, pk)
    can_update = user.has_perm("actionplans.update_action", action)
    if request.method == "POST":
        require_perm(user, "actionplans.update_action", action, hidden=False)
    today = timezone.localdate()
    form = None
    if can_update:
        form = forms.UpdateForm(
            data=request.POST or None,
            files=request.FILES or None,
            initial={
                "written_on": today.strftime("%d/%m/%Y"),
                "status": action.status,
                "rag": action.rag,
                "version": action.version,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if attempt(
                form,
                lambda: services.add_update(
                    actor=user,
                    action=action,
                    written_on=data["written_on"],
                    narrative=data["narrative"],
                    status=data["status"],
                    rag=data["rag"],
                    evidence_files=_uploads(data["evidence"]),
                    version=data["version"],
                ),
            ):
                messages.success(request, "Update added.")
                return redirect("actionplans:action", pk=action.pk)
    return _action_page(request, action, form=form, recheck_form=_recheck_form(user, action))


@login_required
@require_POST
def recheck(request: PersonRequest, pk: int) -> HttpResponse:
    """Record the re-check of a complete action: the lead officer or the business unit (403 for others
    who see it). On errors the action page shows again with what was typed."""
    user = request.user
    action = queries.get_action_for_user(user, pk)
    require_perm(user, "actionplans.recheck", action, hidden=False)
    blocker = permissions.recheck_blocker(user, action)
    if blocker is not None:
        messages.error(request, blocker)
        return redirect("actionplans:action", pk=action.pk)
    form = forms.RecheckForm(data=request.POST, files=request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        held = form.held_value
        if attempt(
            form,
            lambda: services.record_recheck(
                actor=user,
                action=action,
                version=data["version"],
                rechecked_on=data["rechecked_on"],
                held=held,
                narrative=data["narrative"],
                evidence_files=_uploads(data["evidence"]),
                due_on=data["due_on"],
                recheck_on=data["recheck_on"],
            ),
        ):
            if held:
                messages.success(request, f"Re-check recorded: the change held ({action.reference}).")
            else:
                messages.success(
                    request,
                    f"Re-check recorded: the change did not hold, so {action.reference} is reopened as at risk.",
                )
            return redirect("actionplans:action", pk=action.pk)
    update_form = None
    if user.has_perm("actionplans.update_action", action):
        today = timezone.localdate()
        update_form = forms.UpdateForm(
            initial={"written_on": today.strftime("%d/%m/%Y"), "status": action.status, "rag": action.rag}
        )
    return _action_page(request, action, form=update_form, recheck_form=form)


@login_required
@require_POST
def sign_off(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    action = queries.get_action_for_user(user, pk)
    try:
        services.sign_off(actor=user, action=action)
    except kernel.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Completion of {action.reference} signed off.")
    return redirect("actionplans:action", pk=action.pk)


@login_required
def evidence(request: PersonRequest, pk: int) -> HttpResponse:
    """An evidence file, for those who may see the action it belongs to (404 otherwise)."""
    visible = ActionUpdate.objects.filter(action__in=queries.actions_visible_to(request.user).values("pk"))
    doc = get_or_404(Document.objects.filter(pk__in=visible.values("evidence")), pk)
    record_activity(actor=request.user, action="actionplan.evidence_downloaded", target=doc)
    response = HttpResponse(bytes(doc.content), content_type="application/octet-stream")
    safe_name = "".join(c for c in doc.filename if c.isalnum() or c in "._- ") or "evidence"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


# ---- versions and committee decisions ---------------------------------------------------------------


@login_required
def freeze(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = queries.get_plan_for_user(user, pk)
    _manager_or_403(user)
    form = forms.FreezeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        frozen: list[ActionPlanVersion] = []
        reason = form.cleaned_data["reason"]
        if attempt(form, lambda: frozen.append(services.freeze_version(actor=user, plan=plan, reason=reason))):
            messages.success(request, f"Version {frozen[0].number} of the plan frozen.")
            return redirect("actionplans:version", pk=frozen[0].pk)
    return _form_page(
        request,
        form,
        title="Freeze a version of the plan",
        button="Freeze this version",
        plan=plan,
        caption=plan.reference,
        intro="The plan and its actions are kept as they stand now, e.g. as submitted to a committee. "
        "Later changes show against this version.",
    )


@login_required
def version_detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    version = queries.get_version_for_user(user, pk)
    plan = version.plan
    return render(
        request,
        "actionplans/version.html",
        {
            "version": version,
            "plan": plan,
            "actions": [
                {**a, "status_label": _label(ActionStatus, a["status"]), "rag_label": _label(ActionRag, a["rag"])}
                for a in version.snapshot.get("actions", [])
            ],
            "decisions": version.decisions.select_related("recorded_by"),
            "changes": changes_since(plan, version),
            "fields": COMPARED_FIELDS,
        },
    )


@login_required
def record_decision(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    version = queries.get_version_for_user(user, pk)
    _manager_or_403(user)
    form = forms.DecisionForm(data=request.POST or None, initial={"outcome": CommitteeOutcome.ACCEPTED})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recorded: list[CommitteeDecision] = []
        if attempt(
            form,
            lambda: recorded.append(
                services.record_committee_decision(
                    actor=user,
                    plan_version=version,
                    committee=data["committee"],
                    meeting_on=data["meeting_on"],
                    outcome=data["outcome"],
                    questions=data["questions"],
                )
            ),
        ):
            messages.success(request, f"Decision recorded against version {version.number}.")
            return redirect("actionplans:version", pk=version.pk)
    return _form_page(
        request,
        form,
        title=f"Record the committee's decision on version {version.number}",
        button="Record the decision",
        plan=version.plan,
        caption=f"{version.plan.reference} version {version.number}: {version.reason}",
    )
