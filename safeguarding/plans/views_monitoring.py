"""Plan pages for monitoring: progress per objective, review meetings with scaling scores, the scaling
chart, the family PDF, ending the plan, and citing an objective in an escalation or a review."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from safeguarding.core.access import parse_id, require_perm
from safeguarding.core.forms import attempt
from safeguarding.plans import family, forms, permissions, queries, scaling, services
from safeguarding.plans.enums import PersonKind
from safeguarding.plans.models import Participant
from safeguarding.plans.views import load_plan, refused

if TYPE_CHECKING:
    from safeguarding.core.types import Person, PersonRequest


@login_required
def objective_updates(request: PersonRequest, pk: int, uid: str) -> HttpResponse:
    plan = load_plan(request, pk)
    objective = queries.find_objective(plan, uid)
    can_update = request.user.has_perm("plans.record_update", plan)
    form = forms.UpdateForm(data=request.POST or None) if can_update else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            if attempt(
                form,
                lambda: services.record_objective_update(
                    actor=request.user,
                    plan=plan,
                    uid=objective.uid,
                    status=data["status"],
                    rag=data["rag"],
                    evidence=data["evidence"],
                ),
            ):
                messages.success(request, "Progress recorded.")
                return redirect("plans:updates", pk=plan.pk, uid=objective.uid)
    updates = plan.objective_updates.filter(objective_uid=objective.uid).select_related("recorded_by", "agency")
    return render(
        request,
        "plans/updates.html",
        {"plan": plan, "objective": objective, "updates": updates, "form": form},
    )


def _score_inputs(plan: Any, score_forms: Any) -> list[services.ScoreInput]:
    people = {f"p:{p.pk}": p for p in plan.participants.select_related("user", "agency")}
    out: list[services.ScoreInput] = []
    for f in score_forms:
        if f.is_blank:
            continue
        data = f.cleaned_data
        participant: Participant | None = people.get(data.get("person") or "")
        if participant is not None:
            out.append(
                services.ScoreInput(
                    kind=participant.kind,
                    score=data.get("score"),
                    reason=data.get("reason", ""),
                    name=participant.name,
                    role=participant.relationship,
                    user=participant.user,
                    agency=participant.agency,
                )
            )
        else:
            out.append(
                services.ScoreInput(
                    kind=PersonKind.FAMILY if data.get("role") else PersonKind.NETWORK,
                    score=data.get("score"),
                    reason=data.get("reason", ""),
                    name=data.get("name", ""),
                    role=data.get("role", ""),
                )
            )
    return out


@login_required
def review_new(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    refusal = refused(
        request,
        "plans.record_review",
        plan,
        "Reviews are recorded on an agreed plan, by the lead professional or their manager.",
    )
    if refusal:
        return refusal
    form = forms.ReviewForm(data=request.POST or None, initial={"version": plan.version})
    people = queries.plan_people(plan)
    scores = forms.ScoreFormSet(data=request.POST or None, prefix="scores", form_kwargs={"people": people})
    if request.method == "POST" and form.is_valid() and scores.is_valid():
        data = form.cleaned_data
        inputs = _score_inputs(plan, scores)
        if attempt(
            form,
            lambda: services.record_review(
                actor=request.user,
                plan=plan,
                version=data["version"],
                held_on=data["held_on"],
                attendance=data["attendance"],
                decisions=data["decisions"],
                next_review_on=data.get("next_review_on"),
                scores=inputs,
            ),
        ):
            messages.success(request, "Review recorded.")
            return redirect("plans:scaling", pk=plan.pk)
    return render(request, "plans/review_form.html", {"plan": plan, "form": form, "scores": scores})


@login_required
def scaling_chart(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    data = scaling.history(plan)
    svg = scaling.chart_svg(data)
    return render(
        request,
        "plans/scaling.html",
        {"plan": plan, "history": data, "chart": svg, "reviews": plan.reviews.order_by("-held_on")},
    )


@login_required
def family_pdf(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk, log=False)
    version = plan.agreed_version()
    if version is None:
        messages.error(request, "The family version is made from an agreed plan. Agree the plan first.")
        return redirect("plans:detail", pk=plan.pk)
    services.record_plan_view(actor=request.user, plan=plan, action="care_plan.exported")
    response = HttpResponse(family.family_pdf(plan, version), content_type="application/pdf")
    # No names in file names: they end up in download folders and e-mail subjects.
    response["Content-Disposition"] = f'attachment; filename="our-plan-{plan.pk}-version-{version.number}.pdf"'
    return response


@login_required
def end(request: PersonRequest, pk: int) -> HttpResponse:
    plan = load_plan(request, pk)
    refusal = refused(request, "plans.end", plan, permissions.PLAN_WORKFLOW["end"].not_allowed)
    if refusal:
        return refusal
    form = forms.EndForm(data=request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.end_plan(
                actor=request.user, plan=plan, version=data["version"], ended_on=data["ended_on"], reason=data["reason"]
            ),
        ):
            messages.success(request, "The plan has ended.")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/end.html", {"plan": plan, "form": form})


def _targets(user: Person) -> list[tuple[str, str]]:
    from safeguarding.escalations.queries import escalations_visible_to
    from safeguarding.reviews.queries import reviews_visible_to

    rows = [
        (f"e:{e.pk}", f"Escalation {e.reference}") for e in escalations_visible_to(user).order_by("-raised_at")[:50]
    ]
    rows += [
        (f"r:{r.pk}", f"Review {r.reference}: {r.title}") for r in reviews_visible_to(user).order_by("-created_at")[:50]
    ]
    return rows


@login_required
def cite(request: PersonRequest, pk: int, uid: str) -> HttpResponse:
    from safeguarding.escalations.models import Escalation
    from safeguarding.reviews.models import Review

    plan = load_plan(request, pk)
    require_perm(request.user, "plans.cite", plan)
    objective = queries.find_objective(plan, uid)
    targets = _targets(request.user)
    form = forms.CiteForm(data=request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        kind, _, number = form.cleaned_data["target"].partition(":")
        target_id = parse_id(number) or 0
        escalation = Escalation.objects.filter(pk=target_id).first() if kind == "e" else None
        review = Review.objects.filter(pk=target_id).first() if kind == "r" else None
        if attempt(
            form,
            lambda: services.cite_objective(
                actor=request.user,
                objective=objective,
                note=form.cleaned_data["note"],
                escalation=escalation,
                review=review,
            ),
        ):
            messages.success(request, "Objective cited. It is listed on that page for people who can see this plan.")
            if escalation is not None:
                return redirect("escalations:detail", pk=escalation.pk)
            return redirect("reviews:detail", pk=review.pk)  # type: ignore[union-attr]
    return render(request, "plans/cite.html", {"plan": plan, "objective": objective, "form": form, "targets": targets})
