"""Assessment pages. Thin: fetch through the access helper, validate with a form, call a service,
redirect with a message. Anything the person may not see answers 404; every view of an assessment is
logged as a view of the child's record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.agencies.models import Agency, User
from safeguarding.assessments import forms, permissions, queries, services
from safeguarding.assessments.compare import build_comparison, previous_completed
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import AssessmentTemplate
from safeguarding.assessments.structure import by_area, grade_key, units_of
from safeguarding.children.queries import get_child_for_user
from safeguarding.core.access import get_or_404, perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.kernel import ServiceError

if TYPE_CHECKING:
    from safeguarding.core.types import Person, PersonRequest


@login_required
@perm_required("assessments.use")
def index(request: PersonRequest) -> HttpResponse:
    user = request.user
    visible = queries.with_related(queries.assessments_visible_to(user))
    return render(
        request,
        "assessments/index.html",
        {
            "drafts": visible.filter(status=AssessmentStatus.DRAFT, assessor_id=user.pk).order_by("-updated_at")[:50],
            "recent": visible.filter(status=AssessmentStatus.COMPLETED).order_by("-completed_at", "-id")[:25],
            "trained_for": queries.startable_templates(user),
        },
    )


@login_required
@perm_required("assessments.start")
def start(request: PersonRequest) -> HttpResponse:
    user = request.user
    templates = queries.startable_templates(user)
    if not templates:
        return render(request, "assessments/not_trained.html", status=403)
    children = queries.children_to_assess(user)
    initial: dict[str, Any] = {}
    if request.GET.get("child"):
        initial["child"] = get_child_for_user(user, request.GET["child"]).pk  # 404 for a child they may not see
    agencies = Agency.objects.filter(pk__in=permissions.assessor_agency_ids(user)).order_by("name")
    initial["agency"] = agencies.first()
    form = forms.StartForm(
        data=request.POST or None, initial=initial, children=children, templates=templates, agencies=agencies
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started: list[Any] = []
        if attempt(
            form,
            lambda: started.append(
                services.start_assessment(
                    actor=user,
                    child=data["child"],
                    template=data["template"],
                    agency=data.get("agency") or None,
                    assessed_on=data.get("assessed_on"),
                )
            ),
        ):
            assessment = started[0]
            messages.success(request, f"Assessment {assessment.reference} started. Grade each area, then complete it.")
            return redirect("assessments:edit", pk=assessment.pk)
    return render(request, "assessments/start.html", {"form": form})


def _events_for(user: Person, assessment: Any) -> Any:
    from safeguarding.chronology.queries import events_for_child

    return events_for_child(user, assessment.child).order_by("-child_links__occurred_on", "-child_links__event_id")


@login_required
def edit(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    assessment = queries.get_assessment_for_user(user, pk)
    if assessment.is_completed:
        messages.info(request, services.locked_message(assessment))
        return redirect("assessments:detail", pk=assessment.pk)
    require_perm(user, "assessments.edit_assessment", assessment)
    units = units_of(assessment.template)
    scale = list(assessment.template.scale.values_list("value", "label"))
    grades = {
        grade_key(g): g for g in assessment.grades.select_related("sub_area", "item").prefetch_related("citations")
    }
    # Offer the 40 latest entries, and any already cited even if older.
    cited = {c.event_id for g in grades.values() for c in g.citations.all()}
    recent = list(_events_for(user, assessment).values_list("pk", flat=True)[:40])
    events = _events_for(user, assessment).filter(pk__in=set(recent) | cited)
    initial: dict[str, Any] = {
        "version": assessment.version,
        "assessed_on": assessment.assessed_on.strftime("%d/%m/%Y"),
        "overall_view": assessment.overall_view,
        "next_steps": assessment.next_steps,
    }
    for unit in units:
        g = grades.get(unit.key)
        k = unit.key.replace("-", "_")
        if g is not None:
            initial[f"grade_{k}"] = str(g.grade) if g.grade is not None else None
            initial[f"evidence_{k}"] = g.evidence
            initial[f"events_{k}"] = [c.event_id for c in g.citations.all()]
    form = forms.GradesForm(
        data=request.POST or None, initial=initial, assessment=assessment, units=units, scale=scale, events=events
    )
    complete = request.POST.get("action") == "complete"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.save_assessment(
                actor=user,
                assessment=assessment,
                version=data["version"],
                grades=form.grade_inputs(),
                overall_view=data["overall_view"],
                next_steps=data["next_steps"],
                assessed_on=data["assessed_on"],
                complete=complete,
            ),
            form.field_for_error,
        ):
            if complete:
                messages.success(request, f"Assessment {assessment.reference} completed. It can no longer be changed.")
                return redirect("assessments:detail", pk=assessment.pk)
            messages.success(request, "Draft saved.")
            return redirect("assessments:edit", pk=assessment.pk)
    services.record_assessment_view(actor=user, assessment=assessment)
    descriptors = queries.descriptors_for(user, assessment.template)
    areas = [
        {
            "area": group.area,
            "units": [
                {
                    "unit": unit,
                    "fields": form.unit_fields(unit),
                    "descriptors": [(v, label, descriptors.get((unit.key, v))) for v, label in scale]
                    if descriptors
                    else [],
                }
                for unit in group.units
            ],
        }
        for group in by_area(units)
    ]
    return render(request, "assessments/edit.html", {"assessment": assessment, "form": form, "areas": areas})


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    assessment = queries.get_assessment_for_user(user, pk)
    services.record_assessment_view(actor=user, assessment=assessment)
    units = units_of(assessment.template)
    grades = {grade_key(g): g for g in assessment.grades.select_related("sub_area", "item")}
    cited = queries.cited_entries(user, assessment)
    areas = [
        {
            "area": group.area,
            "rows": [
                {
                    "unit": u,
                    "grade": grades.get(u.key),
                    "cited": cited.get(grades[u.key].pk, []) if u.key in grades else [],
                }
                for u in group.units
            ],
        }
        for group in by_area(units)
    ]
    visible = queries.assessments_visible_to(user)
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "areas": areas,
            "scale": dict(assessment.template.scale.values_list("value", "label")),
            "previous": previous_completed(assessment, visible) if assessment.is_completed else None,
            "citations": assessment.citations.select_related("cited_by").order_by("cited_at"),
            "has_targets": assessment.is_completed
            and (
                queries.citable_escalations(user, assessment).exists()
                or queries.citable_reviews(user, assessment).exists()
            ),
        },
    )


@login_required
def cite(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    assessment = queries.get_assessment_for_user(user, pk)
    require_perm(user, "assessments.cite", assessment)
    escalations = list(queries.citable_escalations(user, assessment)[:50])
    reviews = list(queries.citable_reviews(user, assessment)[:50])
    form = forms.CiteForm(data=request.POST or None, escalations=escalations, reviews=reviews)
    if request.method == "POST" and form.is_valid():
        kind, _, target_id = form.cleaned_data["target"].partition(":")
        target = {e.pk: e for e in escalations}.get(int(target_id)) if kind == "escalation" else None
        review = {r.pk: r for r in reviews}.get(int(target_id)) if kind == "review" else None
        if attempt(
            form,
            lambda: services.cite_assessment(
                actor=user, assessment=assessment, escalation=target, review=review, note=form.cleaned_data["note"]
            ),
            lambda name: "target" if name in ("target", "escalation", "review") else None,
        ):
            if target is not None:
                messages.success(request, f"Assessment {assessment.reference} cited in escalation {target.reference}.")
                return redirect("escalations:detail", pk=target.pk)
            assert review is not None
            messages.success(request, f"Assessment {assessment.reference} cited in case review {review.reference}.")
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "assessments/cite.html",
        {"assessment": assessment, "form": form, "nothing": not form.has_targets},
    )


@login_required
def compare(request: PersonRequest, child_id: int) -> HttpResponse:
    user = request.user
    child = get_child_for_user(user, child_id)
    completed = queries.assessments_for_child(user, child).filter(status=AssessmentStatus.COMPLETED)
    codes = list(dict.fromkeys(completed.values_list("template__code", flat=True)))
    templates = {t.code: t for t in AssessmentTemplate.objects.filter(code__in=codes).order_by("code", "version")}
    code = request.GET.get("template") or (codes[0] if codes else "")
    if code and code not in templates:
        raise Http404
    chosen = completed.filter(template__code=code)
    agencies = Agency.objects.filter(pk__in=chosen.values_list("agency_id", flat=True)).order_by("name")
    agency_id = request.GET.get("agency", "")
    if agency_id:
        chosen = chosen.filter(agency=get_or_404(agencies, agency_id))
    rows = list(chosen.order_by("assessed_on", "completed_at", "id"))
    services.record_comparison_view(actor=user, child=child, count=len(rows))
    return render(
        request,
        "assessments/compare.html",
        {
            "child": child,
            "comparison": build_comparison(rows),
            "templates": list(templates.values()),
            "code": code,
            "agencies": agencies,
            "agency_id": agency_id,
        },
    )


@login_required
@perm_required("assessments.manage_training")
def training(request: PersonRequest) -> HttpResponse:
    user = request.user
    if permissions.is_administrator(user):
        people = User.objects.filter(is_active=True, is_system=False)
    else:
        people = User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__agency_id__in=permissions.lead_agency_ids(user),
            memberships__is_active=True,
        ).distinct()
    people = people.order_by("last_name", "first_name", "username").prefetch_related("memberships__agency")
    form = forms.TrainingForm(
        data=request.POST or None,
        people=people,
        templates=AssessmentTemplate.objects.active().order_by("name", "-version"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.mark_trained(
                actor=user, user=data["user"], template=data["template"], trained_on=data["trained_on"]
            ),
        ):
            messages.success(request, f"Training recorded: {data['user']} can now use the {data['template'].name}.")
            return redirect("assessments:training")
    records = queries.training_visible_to(user).order_by("revoked_at", "user__last_name", "user__first_name")
    return render(request, "assessments/training.html", {"form": form, "records": records})


@login_required
@require_POST
def revoke(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    record = get_or_404(queries.training_visible_to(user).filter(revoked_at__isnull=True), pk)
    try:
        services.revoke_training(actor=user, record=record)
    except (ServiceError, ValidationError):
        raise Http404 from None
    messages.success(request, f"Training record for {record.user} revoked.")
    return redirect("assessments:training")


@login_required
@perm_required("assessments.use")
def template_list(request: PersonRequest) -> HttpResponse:
    user = request.user
    trained = permissions.trained_template_codes(user)
    templates = [(t, t.code in trained) for t in queries.templates_visible_to(user)]
    return render(request, "assessments/templates.html", {"templates": templates})


@login_required
@perm_required("assessments.use")
def template_detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    template = get_or_404(queries.templates_visible_to(user), pk)
    scale = list(template.scale.values_list("value", "label"))
    descriptors = queries.descriptors_for(user, template)
    areas = [
        {
            "area": group.area,
            "units": [
                {"unit": u, "descriptors": [(v, descriptors.get((u.key, v))) for v, _ in scale] if descriptors else []}
                for u in group.units
            ],
        }
        for group in by_area(units_of(template))
    ]
    return render(
        request,
        "assessments/template_detail.html",
        {
            "template": template,
            "scale": scale,
            "areas": areas,
            "trained": permissions.is_trained(user, template),
            "has_descriptors": template.areas.filter(sub_areas__descriptors__isnull=False).exists(),
        },
    )
