"""Audit pages. Thin: fetch through the access helper (404 for what the person may not see), validate
with a form, call a service, redirect with a message. Every view of a sampled child is logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.audits import forms, grading, queries, reports, sampling, services, workflow
from safeguarding.audits.enums import Area, AuditStatus
from safeguarding.audits.models import (
    Audit,
    AuditAuditor,
    AuditCase,
    AuditFinding,
    AuditResponse,
    ModeratedGrade,
)
from safeguarding.children.models import Child
from safeguarding.children.services import record_child_view
from safeguarding.core import kernel
from safeguarding.core.access import get_or_404, perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def _form_page(
    request: PersonRequest,
    form: Any,
    *,
    title: str,
    button: str,
    audit: Audit | None = None,
    intro: str = "",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": title, "button": button, "audit": audit, "intro": intro, **extra},
    )


def _audit(request: PersonRequest, pk: Any, perm: str | None = None) -> Audit:
    """The audit, if the person may see it and (`perm`) do this with it; else 404."""
    audit = queries.get_audit_for_user(request.user, pk)
    if perm is not None:
        require_perm(request.user, perm, audit)
    return audit


@login_required
@perm_required("audits.use")
def index(request: PersonRequest) -> HttpResponse:
    user = request.user
    audits = list(queries.with_related(queries.audits_visible_to(user)).order_by("-programme__year", "start_on", "pk"))
    programmes: dict[Any, list[Audit]] = {}
    for audit in audits:
        programmes.setdefault(audit.programme, []).append(audit)
    return render(request, "audits/index.html", {"programmes": list(programmes.items())})


@login_required
@perm_required("audits.plan")
def programme_new(request: PersonRequest) -> HttpResponse:
    form = forms.ProgrammeForm(data=request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(form, lambda: services.create_programme(actor=request.user, year=data["year"], title=data["title"])):
            messages.success(request, "Programme added.")
            return redirect("audits:index")
    return _form_page(request, form, title="Add an audit programme", button="Add the programme")


@login_required
@perm_required("audits.plan")
def audit_new(request: PersonRequest) -> HttpResponse:
    form = forms.AuditForm(data=request.POST or None)
    created: list[Audit] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def call() -> None:
            created.append(services.plan_audit(actor=request.user, **data))

        if attempt(form, call):
            messages.success(request, f"Audit {created[0].reference} planned.")
            return redirect("audits:detail", pk=created[0].pk)
    return _form_page(request, form, title="Plan an audit", button="Plan the audit")


@login_required
def audit_edit(request: PersonRequest, pk: int) -> HttpResponse:
    """Change the audit's details. Those who may not run the audit get 404; a closed audit says why."""
    user = request.user
    audit = _audit(request, pk, "audits.run")
    refusal = workflow.plan_change_refusal(user, audit)
    if refusal:
        messages.error(request, refusal)
        return redirect("audits:detail", pk=audit.pk)
    before = {name: getattr(audit, name) for name in ("period_from", "period_to", "version")}
    form = forms.AuditEditForm(data=request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved: list[Audit] = []

        def call() -> None:
            read = -1 if version is None else version
            saved.append(services.change_audit_plan(actor=user, audit=audit, version=read, **data))

        if attempt(form, call):
            result = saved[0]
            if result.version == before["version"]:
                messages.info(request, "Nothing was changed.")
            else:
                note = ""
                moved = (result.period_from, result.period_to) != (before["period_from"], before["period_to"])
                if moved and result.sample_seed is not None:
                    note = " The sample was drawn from the earlier practice period: draw it again to use the new one."
                messages.success(request, f"The audit's details were saved.{note}")
            # A lead outside the business unit who handed the lead on may no longer see the audit (or any).
            if user.has_perm("audits.see_summary", result) and queries.audits_visible_to(user).filter(pk=pk).exists():
                return redirect("audits:detail", pk=audit.pk)
            return redirect("audits:index" if user.has_perm("audits.use") else "core:home")
    return _form_page(
        request,
        form,
        title="Change the audit's details",
        button="Save the changes",
        audit=audit,
        intro="Auditors can open the sampled cases from the audit's start date to its end date: moving the dates "
        "moves their access too. Once auditing has started, the practice period and the audit tool are fixed, "
        "and so is a start date that has passed.",
    )


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    audit = _audit(request, pk, "audits.see_summary")
    record_activity(actor=user, action="audit.viewed", target=audit)
    see_cases = user.has_perm("audits.see_cases", audit)
    own_agencies = workflow.auditor_agency_ids(user, audit)
    cases = list(audit.cases.select_related("child")) if see_cases else []
    # The sample lists the children by name to those who may open the cases: a look at each child's
    # record, as the API logs it.
    can_open_cases = user.has_perm("audits.view_case", audit)
    for case in cases if can_open_cases else []:
        record_child_view(actor=user, child=case.child, action="audit.sample_viewed")
    answered: dict[int, set[int]] = {}
    if see_cases:
        for case_id, agency_id in (
            AuditResponse.objects.filter(case__audit=audit).values_list("case_id", "agency_id").distinct()
        ):
            answered.setdefault(case_id, set()).add(agency_id)
    agencies = list(audit.agencies.all())
    target = workflow.next_status(audit)
    return render(
        request,
        "audits/detail.html",
        {
            "audit": audit,
            "agencies": agencies,
            "auditors": audit.auditors.select_related("user", "agency") if see_cases else [],
            "see_cases": see_cases,
            "cases": [(c, [a for a in agencies if a.pk in answered.get(c.pk, set())]) for c in cases],
            "sample_open": workflow.sample_open(audit),
            "in_period": workflow.within_audit_period(audit),
            "can_open_cases": can_open_cases,
            "own_agencies": own_agencies,
            "respond_agencies": workflow.responding_agency_ids(user, audit),
            "next_label": workflow.NEXT_LABELS.get(target or "", ""),
            "blocker": workflow.blocker(audit) if target else "",
            "criteria_levels": [sampling.LEVEL_NAMES.get(x, x) for x in audit.sample_criteria.get("levels", [])],
            "findings": audit.findings.prefetch_related("themes", "actions__plan"),
            "is_closed": audit.status == AuditStatus.CLOSED,
            "history": audit.transitions.select_related("actor", "actor_agency"),
        },
    )


@login_required
@require_POST
def move(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.move_audit(actor=request.user, audit=audit, version=version)
    except kernel.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The audit is now at {audit.get_status_display().lower()}.")
    return redirect("audits:detail", pk=audit.pk)


@login_required
def auditor_add(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    form = forms.AuditorForm(data=request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.name_auditor(actor=request.user, audit=audit, user=data["user"], agency=data["agency"]),
        ):
            messages.success(request, f"{data['user']} named as an auditor for {data['agency']}.")
            return redirect("audits:detail", pk=audit.pk)
    return _form_page(request, form, title="Name an auditor", button="Name the auditor", audit=audit)


@login_required
def auditor_remove(request: PersonRequest, pk: int, auditor_pk: int) -> HttpResponse:
    """Confirm, with the reason, that a person is no longer an auditor; their access ends at once."""
    user = request.user
    audit = _audit(request, pk, "audits.remove_auditor")
    auditor: AuditAuditor = get_or_404(audit.auditors.select_related("user", "agency"), auditor_pk)
    name = auditor.user.get_full_name() or auditor.user.username
    form = forms.RemoveAuditorForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if attempt(form, lambda: services.take_auditor_off(actor=user, audit=audit, auditor=auditor, reason=reason)):
            messages.success(
                request, f"{name} is no longer an auditor for {auditor.agency.name}: their access has ended."
            )
            if user.has_perm("audits.see_summary", audit):
                return redirect("audits:detail", pk=audit.pk)
            return redirect("audits:index")
    recorded = AuditResponse.objects.filter(case__audit=audit, answered_by_id=auditor.user_id).count()
    kept = (
        f" The {recorded} response{'s' if recorded != 1 else ''} they recorded stay{'s' if recorded == 1 else ''}, "
        "under their name."
        if recorded
        else ""
    )
    return _form_page(
        request,
        form,
        title=f"Remove {name} as an auditor",
        button="Remove the auditor",
        button_class="govuk-button--warning",
        cancel_url=reverse("audits:detail", args=[audit.pk]),
        audit=audit,
        intro=f"{name} audits for {auditor.agency.name}. Once removed, they can no longer open this audit or its "
        f"sampled cases, from now.{kept}",
    )


@login_required
def sample(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    if not workflow.sample_open(audit):
        messages.error(request, "The sample is fixed once auditing has started.")
        return redirect("audits:detail", pk=audit.pk)
    saved = audit.sample_criteria
    initial = {
        "version": audit.version,
        "agency": saved.get("agency_id"),
        "service": saved.get("service", audit.service_name),
        "event_type": saved.get("event_type_id"),
        "age_min": saved.get("age_min"),
        "age_max": saved.get("age_max"),
        "levels": saved.get("levels", []),
        "size": audit.sample_size or 10,
        "seed": audit.sample_seed if audit.sample_seed is not None else forms.SampleForm.new_seed(),
    }
    form = forms.SampleForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        criteria = sampling.Criteria(
            period_from=audit.period_from,
            period_to=audit.period_to,
            agency_id=data["agency"].pk if data["agency"] else None,
            service=data["service"] or "",
            event_type_id=data["event_type"].pk if data["event_type"] else None,
            age_min=data["age_min"],
            age_max=data["age_max"],
            levels=tuple(data["levels"] or ()),
        )
        drawn: list[list[AuditCase]] = []

        def call() -> None:
            drawn.append(
                services.draw_sample(
                    actor=request.user,
                    audit=audit,
                    criteria=criteria,
                    size=data["size"],
                    seed=data["seed"],
                    version=data["version"],
                )
            )

        if attempt(form, call):
            messages.success(request, f"Sample drawn: {len(drawn[0])} cases with seed {data['seed']}.")
            return redirect("audits:detail", pk=audit.pk)
    return _form_page(
        request,
        form,
        title="Draw the sample",
        button="Draw the sample",
        audit=audit,
        intro=f"Children are chosen from the practice period {audit.period_from:%d/%m/%Y} to "
        f"{audit.period_to:%d/%m/%Y}. "
        "The same criteria, size and seed always draw the same cases. Drawing again replaces the cases drawn "
        "before; cases chosen by hand stay.",
    )


@login_required
def choose_case(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    form = forms.ChooseCaseForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = Child.objects.filter(nhs_number=form.cleaned_data["nhs_number"]).first()
        if child is None:
            form.add_error("nhs_number", "No child has this NHS number: check it and try again")
        elif attempt(
            form,
            lambda: services.choose_case(
                actor=request.user, audit=audit, child=child, reason=form.cleaned_data["reason"]
            ),
        ):
            messages.success(request, "Case added to the sample.")
            return redirect("audits:detail", pk=audit.pk)
    return _form_page(request, form, title="Choose a case by hand", button="Add the case", audit=audit)


@login_required
@require_POST
def remove_case(request: PersonRequest, pk: int, case_pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    case = queries.get_case_for_user(request.user, audit, case_pk)
    try:
        services.remove_case(actor=request.user, case=case)
    except kernel.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{case.label} removed from the sample.")
    return redirect("audits:detail", pk=audit.pk)


def _case_for_viewing(request: PersonRequest, pk: int, case_pk: int) -> tuple[Audit, AuditCase]:
    audit = _audit(request, pk, "audits.view_case")
    return audit, queries.get_case_for_user(request.user, audit, case_pk)


@login_required
def case_detail(request: PersonRequest, pk: int, case_pk: int) -> HttpResponse:
    user = request.user
    audit, case = _case_for_viewing(request, pk, case_pk)
    record_child_view(actor=user, child=case.child, action="audit.case_viewed")
    grades = grading.area_grades(audit)
    agencies = list(audit.agencies.all())
    visible_agency_ids = workflow.own_agency_ids(user, audit)
    responses = (
        case.responses.filter(agency_id__in=visible_agency_ids)
        .select_related("agency", "question", "answered_by")
        .order_by("question__number", "agency__name")
    )
    tool = audit.tool
    area_rows = []
    for area in Area:
        by_agency = grades.get((case.pk, area.value), {})
        area_rows.append(
            (
                area.label,
                [
                    (a, tool.grade_label(by_agency[a.pk]) if a.pk in by_agency else "")
                    for a in agencies
                    if a.pk in visible_agency_ids
                ],
            )
        )
    return render(
        request,
        "audits/case.html",
        {
            "audit": audit,
            "case": case,
            "child": case.child,
            "age": case.child.age_on(audit.period_to),
            "involvements": queries.case_involvements(audit, case),
            "events": queries.case_events(user, audit, case)[:500],
            "responses": [(r, tool.grade_label(r.grade)) for r in responses],
            "area_rows": area_rows,
            "area_agencies": [a for a in agencies if a.pk in visible_agency_ids],
            "respond_agencies": [a for a in agencies if a.pk in workflow.responding_agency_ids(user, audit)],
        },
    )


@login_required
def respond(request: PersonRequest, pk: int, case_pk: int, agency_pk: int) -> HttpResponse:
    user = request.user
    audit, case = _case_for_viewing(request, pk, case_pk)
    agency = next((a for a in audit.agencies.all() if str(a.pk) == str(agency_pk)), None)
    if agency is None or agency.pk not in workflow.responding_agency_ids(user, audit):
        raise Http404
    existing = {r.question_id: (r.grade, r.narrative) for r in case.responses.filter(agency=agency)}
    form = forms.ResponseForm(data=request.POST or None, audit=audit, initial_answers=existing)
    if request.method == "POST" and form.is_valid():
        answers = [services.Answer(q, grade, narrative) for q, grade, narrative in form.answers()]
        if attempt(form, lambda: services.record_responses(actor=user, case=case, agency=agency, answers=answers)):
            messages.success(request, f"{agency.name}'s grades for {case.label} saved.")
            return redirect("audits:case", pk=audit.pk, case_pk=case.pk)
    return _form_page(
        request,
        form,
        title=f"{case.label}: {agency.name}'s part",
        button="Save the grades",
        audit=audit,
        intro="Grade your agency's practice on this case for each question, and say why.",
        back_case=case,
    )


@login_required
def moderation(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    tool = audit.tool
    grades = grading.area_grades(audit)
    moderated = {(m.case_id, m.area): m for m in ModeratedGrade.objects.filter(case__audit=audit)}
    cases = {c.pk: c for c in audit.cases.all()}
    agencies = {a.pk: a for a in audit.agencies.all()}
    rows = []
    for (case_id, area), by_agency in sorted(
        grading.differences(grades).items(), key=lambda kv: (cases[kv[0][0]].number, kv[0][1])
    ):
        rows.append(
            {
                "case": cases[case_id],
                "area": area,
                "area_label": Area(area).label,
                "grades": [
                    (agencies[a].name if a in agencies else a, tool.grade_label(g))
                    for a, g in sorted(by_agency.items())
                ],
                "moderated": moderated.get((case_id, area)),
                "final_label": tool.grade_label(moderated[(case_id, area)].final_grade)
                if (case_id, area) in moderated
                else "",
            }
        )
    return render(
        request,
        "audits/moderation.html",
        {
            "audit": audit,
            "rows": rows,
            "remaining": sum(1 for r in rows if not r["moderated"]),
        },
    )


@login_required
def moderate(request: PersonRequest, pk: int, case_pk: int, area: str) -> HttpResponse:
    audit = _audit(request, pk, "audits.moderate")
    case = queries.get_case_for_user(request.user, audit, case_pk)
    if area not in Area.values:
        raise Http404
    by_agency = grading.area_grades(audit).get((case.pk, area), {})
    names = {a.pk: a.name for a in audit.agencies.all()}
    existing = ModeratedGrade.objects.filter(case=case, area=area).first()
    form = forms.ModerateForm(
        data=request.POST or None,
        audit=audit,
        initial={"final_grade": existing.final_grade, "rationale": existing.rationale} if existing else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.moderate(
                actor=request.user, case=case, area=area, final_grade=data["final_grade"], rationale=data["rationale"]
            ),
        ):
            messages.success(request, f"Grade agreed for {case.label}, {Area(area).label.lower()}.")
            return redirect("audits:moderation", pk=audit.pk)
    grades_text = "; ".join(f"{names.get(a, a)}: {audit.tool.grade_label(g)}" for a, g in sorted(by_agency.items()))
    return _form_page(
        request,
        form,
        title=f"Moderate {case.label}: {Area(area).label}",
        button="Agree the grade",
        audit=audit,
        intro=f"The agencies graded this differently. {grades_text}.",
    )


@login_required
def finding_new(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    form = forms.FindingForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.add_finding(
                actor=request.user, audit=audit, kind=data["kind"], text=data["text"], themes=data["themes"]
            ),
        ):
            messages.success(request, "Finding recorded.")
            return redirect("audits:detail", pk=audit.pk)
    return _form_page(request, form, title="Record a finding", button="Record the finding", audit=audit)


@login_required
def finding_action(request: PersonRequest, pk: int, finding_pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.run")
    finding: AuditFinding = get_or_404(audit.findings.all(), finding_pk)
    form = forms.ActionForm(data=request.POST or None, initial={"description": ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made: list[Any] = []

        def call() -> None:
            made.append(services.create_action_from_finding(actor=request.user, finding=finding, **data))

        if attempt(form, call):
            messages.success(request, f"Action {made[0].reference} added to the audit's action plan.")
            return redirect("audits:detail", pk=audit.pk)
    return _form_page(
        request,
        form,
        title=f"Create an action from finding {finding.number}",
        button="Create the action",
        audit=audit,
        intro=finding.text,
    )


@login_required
def summary(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.see_summary")
    record_activity(actor=request.user, action="audit.summary_viewed", target=audit)
    return render(
        request,
        "audits/summary.html",
        {
            "summary": reports.build_summary(audit),
            "audit": audit,
            "findings": audit.findings.prefetch_related("themes"),
        },
    )


@login_required
def summary_pdf(request: PersonRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk, "audits.see_summary")
    record_activity(actor=request.user, action="audit.report_exported", target=audit, changes={"format": "pdf"})
    pdf = reports.summary_pdf(audit, produced_by=str(request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{audit.reference.lower()}-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response
