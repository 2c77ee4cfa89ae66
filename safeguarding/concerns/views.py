"""Alert and rule pages. Thin: fetch through the access helpers, validate with a form, call a
service, redirect with a message. Anything the person may not see answers 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from safeguarding.children.queries import children_visible_to
from safeguarding.children.services import record_child_view
from safeguarding.concerns import forms, quality, queries, services
from safeguarding.concerns.enums import OPEN_STATUSES, AlertStatus, Decision
from safeguarding.concerns.models import Rule
from safeguarding.core.access import get_or_404, perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.models import ActivityLog
from safeguarding.escalations.queries import escalations_visible_to

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

PREVIEW_SAMPLE = 20


@login_required
@perm_required("concerns.use_alerts")
def alert_list(request: PersonRequest) -> HttpResponse:
    user = request.user
    form = forms.AlertFilterForm(request.GET or None)
    rows = queries.alerts_visible_to(user)
    if form.is_valid():
        status = form.cleaned_data.get("status")
        if status == "all":
            pass
        elif status:
            rows = rows.filter(status=status)
        else:
            rows = rows.filter(status__in=OPEN_STATUSES)
        if form.cleaned_data.get("rule"):
            rows = rows.filter(rule=form.cleaned_data["rule"])
        if form.cleaned_data.get("mine"):
            rows = rows.filter(queries.responsible_condition(user))
    else:
        rows = rows.filter(status__in=OPEN_STATUSES)
    page = Paginator(rows.order_by("-raised_at", "-pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "concerns/list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    alert = queries.get_alert_for_user(request.user, pk)
    evidence, hidden = queries.evidence_shown_to(request.user, alert)
    record_child_view(actor=request.user, child=alert.child, action="alert.viewed")
    history = (
        ActivityLog.objects.filter(
            action__startswith="alert.", target_id=str(alert.pk), subject_child_id=alert.child_id
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    return render(
        request,
        "concerns/detail.html",
        {
            "alert": alert,
            "evidence": evidence,
            "hidden_evidence": hidden,
            "history": history,
            "raise_url": f"{reverse('escalations:raise')}?{urlencode({'child': alert.child_id})}",
            "Status": AlertStatus,
        },
    )


ACTIONS: dict[str, dict[str, Any]] = {
    "acknowledge": {"title": "Acknowledge the alert", "button": "Acknowledge", "form": forms.AcknowledgeForm},
    "decide": {"title": "Record a decision", "button": "Record decision", "form": forms.DecideForm},
    "close": {"title": "Close the alert", "button": "Close alert", "form": forms.CloseForm},
}


@login_required
def act(request: PersonRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    alert = queries.get_alert_for_user(request.user, pk)
    require_perm(request.user, "concerns.act_on_alert", alert)
    page = ACTIONS[action]
    kwargs: dict[str, Any] = {}
    if action == "decide":
        kwargs["escalations"] = (
            escalations_visible_to(request.user).filter(children=alert.child_id).distinct().order_by("-raised_at")
        )
    form = page["form"](data=request.POST or None, initial={"version": alert.version}, **kwargs)
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: _act(request, alert, action, form)):
        return redirect("concerns:detail", pk=alert.pk)
    return render(
        request,
        "concerns/action.html",
        {
            "alert": alert,
            "form": form,
            "page": page,
            "action": action,
            "raise_url": f"{reverse('escalations:raise')}?{urlencode({'child': alert.child_id})}",
        },
    )


def _act(request: PersonRequest, alert: Any, action: str, form: Any) -> None:
    data = form.cleaned_data
    if action == "acknowledge":
        services.acknowledge_alert(actor=request.user, alert=alert, version=data["version"])
        messages.success(request, "Alert acknowledged. Record the decision when it is made.")
    elif action == "decide":
        services.decide_alert(
            actor=request.user,
            alert=alert,
            version=data["version"],
            decision=data["decision"],
            note=data.get("note", ""),
            escalation=data.get("escalation"),
        )
        messages.success(request, f"Decision recorded: {Decision(data['decision']).label}.")
    else:
        services.close_alert(actor=request.user, alert=alert, version=data["version"], note=data.get("note", ""))
        messages.success(request, "Alert closed.")


# ---- rules (business unit, administrators) ------------------------------------------------------


@login_required
@perm_required("concerns.view_quality")
def rules_list(request: PersonRequest) -> HttpResponse:
    return render(request, "concerns/rules.html", {"rows": quality.rule_quality()})


def _preview(request: PersonRequest, rule: Rule) -> dict[str, Any]:
    from safeguarding.concerns.scan import preview

    found = preview(rule)
    visible = (
        set(children_visible_to(request.user).filter(pk__in=list(found)[:5000]).values_list("pk", flat=True))
        if found
        else set()
    )
    sample = sorted((cid for cid in found if cid in visible), key=lambda c: found[c].first_met_on, reverse=True)
    children = {c.pk: c for c in children_visible_to(request.user).filter(pk__in=sample[:PREVIEW_SAMPLE])}
    return {
        "children": len(found),
        "entries": sum(len(f.evidence) for f in found.values()),
        "sample": [(children[c], found[c]) for c in sample[:PREVIEW_SAMPLE] if c in children],
        "hidden": len(found) - len(visible),
    }


@login_required
@perm_required("concerns.manage_rules")
def rule_edit(request: PersonRequest, pk: int | None = None) -> HttpResponse:
    rule = get_or_404(Rule.objects.all(), pk) if pk is not None else None
    initial = forms.RuleForm.initial_for(rule) if rule else {"severity": "medium", "kind": "count_in_window"}
    form = forms.RuleForm(data=request.POST or None, initial=initial)
    preview_result = None
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        errors = services.rule_errors(values, vocabulary=_vocabulary())
        for name, problems in errors.items():
            form.add_error(name, problems)
        if not errors and "preview" in request.POST:
            trial = Rule(pk=rule.pk if rule else None, **{**values, "notifies": ""})
            preview_result = _preview(request, trial)
        elif not errors and attempt(form, lambda: _save_rule(request, rule, values)):
            return redirect("concerns:rules")
    return render(
        request,
        "concerns/rule_edit.html",
        {"form": form, "rule": rule, "preview": preview_result},
    )


def _save_rule(request: PersonRequest, rule: Rule | None, values: dict[str, Any]) -> None:
    if rule is None:
        rule = services.create_rule(actor=request.user, **values)
        messages.success(request, f"Rule {rule.code} created.")
    else:
        version = int(request.POST.get("version", "0") or 0)
        services.update_rule(actor=request.user, rule=rule, version=version, **values)
        messages.success(request, f"Rule {rule.code} saved.")


def _vocabulary() -> Any:
    from safeguarding.concerns.scan import Vocabulary

    return Vocabulary.load()


@login_required
@perm_required("concerns.view_quality")
def rule_detail(request: PersonRequest, pk: int) -> HttpResponse:
    rule = get_or_404(Rule.objects.all(), pk)
    return render(
        request,
        "concerns/rule_detail.html",
        {
            "rule": rule,
            "row": quality.rule_quality(rule.pk)[0],
        },
    )
