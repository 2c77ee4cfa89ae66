"""Plan pages: drafting and agreeing. Thin: fetch through the access helper (404 for what the person may
not see), validate with a form, call a service, redirect with a message. Every page of a plan is a view
of each child's record and is logged. Monitoring pages (progress, reviews, scaling, PDF, end, citing)
are in `views_monitoring.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding.agencies.models import Agency
from safeguarding.children.queries import children_visible_to, get_child_for_user
from safeguarding.children.services import record_child_view
from safeguarding.core.access import parse_id, perm_required
from safeguarding.core.forms import attempt
from safeguarding.core.kernel import ServiceError
from safeguarding.plans import forms, permissions, queries, services
from safeguarding.plans.enums import PersonKind, PlanStatus
from safeguarding.plans.models import CONTENT_FIELDS, CarePlan, Citation, Objective, PlanVersion
from safeguarding.plans.versions import compare as compare_versions

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def load_plan(request: PersonRequest, pk: Any, *, log: bool = True) -> CarePlan:
    plan = queries.get_plan_for_user(request.user, pk)
    if log:
        services.record_plan_view(actor=request.user, plan=plan)
    return plan


def split_professional(value: str) -> tuple[Any, Agency | None]:
    user_id, _, agency_id = (value or "").partition(":")
    uid, aid = parse_id(user_id), parse_id(agency_id)
    if uid is None or aid is None:
        return None, None
    return get_user_model().objects.filter(pk=uid).first(), Agency.objects.filter(pk=aid).first()


@login_required
def index(request: PersonRequest) -> HttpResponse:
    visible = queries.with_related(queries.plans_visible_to(request.user))
    led = (
        visible.filter(lead_professional_id=request.user.pk)
        .exclude(status=PlanStatus.ENDED)
        .order_by("-started_on", "-pk")
    )
    rows = visible.exclude(status=PlanStatus.ENDED).order_by("-started_on", "-pk")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    led_rows = queries.mark_overdue(list(led[:20]))
    page.object_list = queries.mark_overdue(list(page.object_list))
    return render(request, "plans/index.html", {"led": led_rows, "page": page})


@login_required
def for_child(request: PersonRequest, child_pk: int) -> HttpResponse:
    child = get_child_for_user(request.user, child_pk)
    record_child_view(actor=request.user, child=child, action="care_plan.viewed")
    plans = queries.mark_overdue(list(queries.plans_for_child(request.user, child)))
    return render(
        request,
        "plans/for_child.html",
        {"child": child, "plans": plans},
    )


@login_required
@perm_required("plans.create")
def new(request: PersonRequest) -> HttpResponse:
    user = request.user
    chosen = request.GET.get("child")
    if not chosen:
        messages.info(request, "Start a plan from the child's record: find the child, then choose 'Start a plan'.")
        return redirect("plans:index")
    child = get_child_for_user(user, chosen)
    siblings = child.relationships.filter(other_child__isnull=False).values_list("other_child_id", flat=True)
    children = children_visible_to(user).filter(pk__in=[child.pk, *siblings]).order_by("date_of_birth", "id")
    leads = queries.professionals_for_children([child])
    own = [v for v, _ in leads if v.split(":")[0] == str(user.pk)]
    form = forms.NewPlanForm(
        data=request.POST or None,
        initial={"children": [child.pk], "lead": own[0] if own else ""},
        children=children,
        leads=leads,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead, agency = split_professional(data["lead"])
        created: list[CarePlan] = []

        def run() -> None:
            created.append(
                services.create_plan(
                    actor=user,
                    children=list(data["children"]),
                    plan_type=data["plan_type"],
                    lead_professional=lead,
                    lead_agency=agency,  # type: ignore[arg-type]
                    started_on=data.get("started_on"),
                )
            )

        if attempt(form, run):
            messages.success(
                request, "Plan drafted. Now write what everyone is worried about and what needs to happen."
            )
            return redirect("plans:edit", pk=created[0].pk)
    return render(request, "plans/new.html", {"form": form, "child": child})


def _version_to_show(request: PersonRequest, plan: CarePlan) -> PlanVersion:
    number = parse_id(request.GET.get("version", ""))
    if number is not None:
        version = plan.versions.filter(number=number).first()
        if version is None:
            raise Http404
        return version
    return plan.draft_version() or plan.current_version()


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    shown = _version_to_show(request, plan)
    latest = queries.latest_updates(plan)
    objectives = [(o, latest.get(o.uid)) for o in queries.objectives_of(shown)]
    versions = list(plan.versions.select_related("created_by").order_by("-number"))
    reviews = list(plan.reviews.prefetch_related("scores").order_by("-held_on", "-id"))
    citations = Citation.objects.filter(plan=plan).select_related("escalation", "review", "cited_by", "objective")
    agreement = getattr(shown, "agreement", None) if shown.is_agreed else None
    agreed = plan.agreed_version()
    # The Overdue tag: the same rule as the overdue check (queries.is_overdue), on the version in force.
    overdue = queries.overdue_uids(plan) if agreed is not None and shown.pk == agreed.pk else set()
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "shown": shown,
            "content": [(name, label, getattr(shown, name)) for name, label in CONTENT_FIELDS],
            "objectives": objectives,
            "participants": plan.participants.select_related("agency"),
            "versions": versions,
            "agreement": agreement,
            "agreed_people": list(agreement.people.all()) if agreement else [],
            "reviews": reviews,
            "citations": citations,
            "draft": plan.draft_version(),
            "agreed": agreed,
            "overdue": overdue,
        },
    )


def refused(request: HttpRequest, perm: str, plan: CarePlan, message: str) -> HttpResponse | None:
    """Unless the person has `perm` on the plan (its rule in `permissions`): back to the plan with `message`."""
    if request.user.has_perm(perm, plan):
        return None
    messages.error(request, message)
    return redirect("plans:detail", pk=plan.pk)


EDIT_REFUSED = "Only the lead professional and the agencies in the plan can change its draft."
AGREED_REFUSED = "This version has been agreed and cannot be changed. Amend the plan to make a new draft."


def _draft_or_redirect(request: PersonRequest, plan: CarePlan) -> PlanVersion | HttpResponse:
    refusal = refused(request, "plans.edit_draft", plan, EDIT_REFUSED)
    if refusal:
        return refusal
    draft = plan.draft_version()
    if draft is None:
        messages.error(request, AGREED_REFUSED)
        return redirect("plans:detail", pk=plan.pk)
    return draft


@login_required
def edit(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    draft = _draft_or_redirect(request, plan)
    if isinstance(draft, HttpResponse):
        return draft
    initial = {name: getattr(draft, name) for name, _ in CONTENT_FIELDS}
    form = forms.ContentForm(data=request.POST or None, initial={**initial, "version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content = {name: data.get(name) for name, _ in CONTENT_FIELDS}
        if attempt(
            form, lambda: services.update_draft(actor=request.user, plan=plan, version=data["version"], content=content)
        ):
            messages.success(request, f"Draft version {draft.number} saved.")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/edit.html", {"plan": plan, "draft": draft, "form": form})


def _objective_input(data: dict[str, Any]) -> services.ObjectiveInput:
    user, agency = split_professional(data.get("professional") or "")
    return services.ObjectiveInput(
        action=data["action"],
        owner_kind=data["owner_kind"],
        due_on=data.get("due_on"),
        progress_measure=data["progress_measure"],
        support_offered=data.get("support_offered", ""),
        owner_user=user,
        owner_agency=agency,
        owner_name=data.get("owner_name", ""),
        owner_relationship=data.get("owner_relationship", ""),
    )


def _objective_form_page(request: PersonRequest, plan: CarePlan, existing: Objective | None) -> HttpResponse:
    initial: dict[str, Any] = {"version": plan.version}
    if existing is not None:
        initial.update(
            {
                "action": existing.action,
                "owner_kind": existing.owner_kind,
                "professional": f"{existing.owner_user_id}:{existing.owner_agency_id}"
                if existing.owner_user_id
                else "",
                "owner_name": existing.owner_name if existing.owner_kind != PersonKind.PROFESSIONAL else "",
                "owner_relationship": existing.owner_relationship,
                "due_on": existing.due_on,
                "support_offered": existing.support_offered,
                "progress_measure": existing.progress_measure,
            }
        )
    form = forms.ObjectiveForm(
        data=request.POST or None, initial=initial, professionals=queries.plan_professionals(plan)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = _objective_input(data)
        if existing is None:
            done = attempt(
                form, lambda: services.add_objective(actor=request.user, plan=plan, version=data["version"], data=item)
            )
        else:
            done = attempt(
                form,
                lambda: services.change_objective(
                    actor=request.user, plan=plan, version=data["version"], uid=existing.uid, data=item
                ),
            )
        if done:
            messages.success(request, "Objective added." if existing is None else "Objective changed.")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/objective_form.html", {"plan": plan, "form": form, "existing": existing})


@login_required
def objective_add(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    draft = _draft_or_redirect(request, plan)
    if isinstance(draft, HttpResponse):
        return draft
    return _objective_form_page(request, plan, None)


def _draft_objective(plan: CarePlan, draft: PlanVersion, uid: str) -> Objective:
    found = queries.find_objective(plan, uid)
    objective = draft.objectives.filter(uid=found.uid).first()
    if objective is None:
        raise Http404
    return objective


@login_required
def objective_edit(request: PersonRequest, pk: int, uid: str) -> HttpResponse:
    plan = load_plan(request, pk)
    draft = _draft_or_redirect(request, plan)
    if isinstance(draft, HttpResponse):
        return draft
    return _objective_form_page(request, plan, _draft_objective(plan, draft, uid))


@login_required
def objective_remove(request: PersonRequest, pk: int, uid: str) -> HttpResponse:
    plan = load_plan(request, pk)
    draft = _draft_or_redirect(request, plan)
    if isinstance(draft, HttpResponse):
        return draft
    objective = _draft_objective(plan, draft, uid)
    form = forms.VersionedForm(data=request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        if attempt(
            form, lambda: services.remove_objective(actor=request.user, plan=plan, version=version, uid=objective.uid)
        ):
            messages.success(request, "Objective removed from the draft.")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/objective_remove.html", {"plan": plan, "objective": objective, "form": form})


@login_required
def participants(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    refusal = refused(request, "plans.edit_draft", plan, EDIT_REFUSED)
    if refusal:
        return refusal
    children = list(plan.children.all())
    form = forms.ParticipantForm(
        data=request.POST or None,
        initial={"version": plan.version},
        professionals=queries.professionals_for_children(children),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, agency = split_professional(data.get("professional") or "")
        person = services.PersonInput(
            kind=data["kind"],
            name=data.get("name", ""),
            relationship=data.get("relationship", ""),
            user=user,
            agency=agency,
        )
        if attempt(
            form,
            lambda: services.add_participant(actor=request.user, plan=plan, version=data["version"], person=person),
        ):
            messages.success(request, "Added to the plan.")
            return redirect("plans:participants", pk=plan.pk)
    rows = plan.participants.select_related("agency", "user")
    return render(request, "plans/participants.html", {"plan": plan, "form": form, "rows": rows})


@login_required
def participant_remove(request: PersonRequest, pk: int, participant_pk: int) -> HttpResponse:
    plan = load_plan(request, pk, log=False)
    if request.method != "POST":
        return redirect("plans:participants", pk=plan.pk)
    participant = plan.participants.filter(pk=parse_id(participant_pk) or 0).first()
    if participant is None:
        raise Http404
    form = forms.VersionedForm(data=request.POST)
    if form.is_valid():
        try:
            services.remove_participant(
                actor=request.user, plan=plan, version=form.cleaned_data["version"], participant=participant
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Removed from the plan.")
    return redirect("plans:participants", pk=plan.pk)


@login_required
def agree(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    refusal = refused(request, "plans.agree", plan, permissions.PLAN_WORKFLOW["agree"].not_allowed)
    if refusal:
        return refusal
    draft = plan.draft_version()
    if draft is None:
        messages.error(request, "There is no draft to agree. Amend the plan to make one.")
        return redirect("plans:detail", pk=plan.pk)
    professionals = queries.plan_professionals(plan)
    form = forms.AgreeForm(data=request.POST or None, initial={"version": plan.version}, professionals=professionals)
    family = forms.FamilyMemberFormSet(data=request.POST or None, prefix="family")
    if request.method == "POST" and form.is_valid() and family.is_valid():
        data = form.cleaned_data
        people = [
            services.PersonInput(PersonKind.PROFESSIONAL, user=user, agency=agency)
            for user, agency in (split_professional(v) for v in data["professionals"])
        ]
        people += [
            services.PersonInput(
                PersonKind.FAMILY, name=f.cleaned_data["name"], relationship=f.cleaned_data["relationship"]
            )
            for f in family
            if f.cleaned_data.get("name")
        ]
        if attempt(
            form,
            lambda: services.agree_version(
                actor=request.user,
                plan=plan,
                version=data["version"],
                agreed_on=data["agreed_on"],
                method=data["method"],
                people=people,
                family_disputes=data.get("family_disputes", ""),
            ),
        ):
            messages.success(request, f"Version {draft.number} agreed. It can no longer be changed.")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/agree.html", {"plan": plan, "draft": draft, "form": form, "family": family})


@login_required
def amend(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    refusal = refused(request, "plans.edit_draft", plan, EDIT_REFUSED)
    if refusal:
        return refusal
    form = forms.VersionedForm(data=request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        made: list[PlanVersion] = []
        if attempt(
            form,
            lambda: made.append(
                services.amend_plan(actor=request.user, plan=plan, version=form.cleaned_data["version"])
            ),
        ):
            messages.success(
                request, f"Draft version {made[0].number} made from the agreed plan. Change it, then agree it."
            )
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/amend.html", {"plan": plan, "form": form, "agreed": plan.agreed_version()})


@login_required
def compare(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    versions = list(plan.versions.order_by("number"))
    numbers = [v.number for v in versions]
    older_n = parse_id(request.GET.get("from", ""))
    newer_n = parse_id(request.GET.get("to", ""))
    if older_n is None or newer_n is None:
        newer_n = numbers[-1]
        older_n = numbers[-2] if len(numbers) > 1 else numbers[-1]
    by_number = {v.number: v for v in versions}
    if older_n not in by_number or newer_n not in by_number:
        raise Http404
    older, newer = by_number[min(older_n, newer_n)], by_number[max(older_n, newer_n)]
    return render(
        request,
        "plans/compare.html",
        {"plan": plan, "versions": versions, "result": compare_versions(older, newer), "older": older, "newer": newer},
    )


def is_open(plan: CarePlan) -> bool:
    return plan.status != PlanStatus.ENDED
