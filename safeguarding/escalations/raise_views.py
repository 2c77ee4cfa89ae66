"""Raising an escalation: the form page and the three small endpoints its script asks.

The child is chosen with GOV.UK's accessible autocomplete (`escalations/js/raise.js`), backed by
`raise_children`, a search over the children this person may see. Without JavaScript the same page
offers a text search ("Find the child") and a select of its matches: the form is sent back with what
was typed kept, and nothing is validated until "Raise the escalation". Every search is logged as a
search (how many it found, never what was typed); showing a child's entries as evidence is logged
as a view of the child's record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from safeguarding.agencies.models import Agency
from safeguarding.children.queries import children_visible_to, get_child_for_user, search_children
from safeguarding.children.services import record_child_view, record_search
from safeguarding.chronology.queries import events_for_child
from safeguarding.core.access import get_or_404, parse_id, perm_required
from safeguarding.core.forms import attempt
from safeguarding.escalations import forms, services
from safeguarding.escalations.models import Escalation
from safeguarding.escalations.permissions import RAISING_ROLES

if TYPE_CHECKING:
    from safeguarding.children.models import Child
    from safeguarding.core.types import Person, PersonRequest

# Shorter searches would list half the partnership's children; longer lists are not read.
MIN_QUERY_LENGTH = 2
MAX_MATCHES = 20
MAX_EVIDENCE = 50
FIND_CHILD = "find-child"


def find_children(user: Person, text: str) -> list[Child]:
    """Up to MAX_MATCHES children this person may see whose names start with the words typed, logged
    as a search (its count only). Fewer than MIN_QUERY_LENGTH letters finds nothing and logs nothing."""
    text = " ".join((text or "").split())
    if len(text) < MIN_QUERY_LENGTH:
        return []
    matches = list(search_children(user, name=text)[:MAX_MATCHES])
    record_search(actor=user, results=len(matches))
    return matches


def child_details(user: Person, child: Child) -> tuple[Any, Any]:
    """The brothers and sisters of `child` this person may see, and the child's entries that they may
    see, most recent first (logged as a view of the child's record)."""
    sibling_ids = child.relationships.filter(other_child__isnull=False).values_list("other_child_id", flat=True)
    siblings = children_visible_to(user).filter(pk__in=list(sibling_ids)).order_by("last_name", "first_name", "id")
    ids = list(
        events_for_child(user, child)
        .filter(entered_in_error_at__isnull=True)  # an entry entered in error supports nothing
        .order_by("-child_links__occurred_on", "-child_links__event_id")
        .values_list("pk", flat=True)[:MAX_EVIDENCE]
    )
    from safeguarding.chronology.models import Event

    events = Event.objects.filter(pk__in=ids).select_related("event_type", "agency").order_by("-occurred_on", "-id")
    record_child_view(actor=user, child=child, action="escalation.raise_viewed")
    return siblings, events


def _chosen_child(user: Person, value: Any) -> Child | None:
    number = parse_id(value or "")
    return children_visible_to(user).filter(pk=number).first() if number else None


def _chosen_agency(value: Any) -> Agency | None:
    number = parse_id(value or "")
    return forms.receiving_agencies().filter(pk=number).first() if number else None


def _build_form(request: PersonRequest) -> forms.RaiseForm:
    user = request.user
    agencies = Agency.objects.filter(pk__in=user.agency_ids_with_role(RAISING_ROLES)).order_by("name")  # type: ignore[union-attr]
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    child = None
    if data is None and request.GET.get("child"):
        child = get_child_for_user(user, request.GET["child"])  # 404 for a child this person may not see
        initial["child"] = child.pk
    elif data is not None:
        child = _chosen_child(user, data.get("child"))
    form = forms.RaiseForm(data=data, initial=initial, children=children_visible_to(user), raising_agencies=agencies)
    offered = [child] if child else []
    if data is not None and data.get("action") == FIND_CHILD:
        offered += [c for c in find_children(user, data.get("child_search", "")) if c != child]
    form.offer_children(offered)
    if child is not None:
        siblings, events = child_details(user, child)
        form.offer_child_details(siblings=siblings, events=events)
    form.offer_people(_chosen_agency(data.get("receiving_agency")) if data is not None else None)
    form.found = None if data is None or data.get("action") != FIND_CHILD else len(offered) - (1 if child else 0)
    return form


@login_required
@perm_required("escalations.raise")
def raise_new(request: PersonRequest) -> HttpResponse:
    form = _build_form(request)
    if request.method == "POST" and request.POST.get("action") == FIND_CHILD:
        # Finding the child sends the form back as typed, without judging what is not filled in yet.
        form.errors.clear()
    elif request.method == "POST" and form.is_valid():
        raised: list[Escalation] = []
        data = form.cleaned_data
        if attempt(
            form,
            lambda: raised.append(
                services.raise_escalation(
                    actor=request.user,
                    children=form.chosen_children(),
                    raising_agency=data["raising_agency"],
                    receiving_agency=data["receiving_agency"],
                    receiving_person=data.get("receiving_person"),
                    reason=data["reason"],
                    disputed_decision=data["disputed_decision"],
                    desired_outcome=data["desired_outcome"],
                    raiser_level_of_need=data["raiser_level_of_need"],
                    urgency=data["urgency"],
                    evidence=list(data.get("evidence") or []),
                )
            ),
        ):
            esc = raised[0]
            messages.success(request, f"Escalation {esc.reference} raised. The receiving agency has been told.")
            return redirect("escalations:detail", pk=esc.pk)
    no_children = not children_visible_to(request.user).exists()
    return render(request, "escalations/raise.html", {"form": form, "no_children": no_children})


@login_required
@perm_required("escalations.raise")
def raise_children(request: PersonRequest) -> JsonResponse:
    """`?q=`: the visible children whose names match, for the autocomplete (at most MAX_MATCHES)."""
    matches = find_children(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": c.pk, "label": forms.child_label(c)} for c in matches]})


@login_required
@perm_required("escalations.raise")
def raise_people(request: PersonRequest) -> JsonResponse:
    """`?agency=`: the people of that agency who may be named as the receiving person (404 for an
    agency that cannot receive an escalation, as for one that does not exist)."""
    agency = get_or_404(forms.receiving_agencies(), request.GET.get("agency", ""))
    people = forms.receiving_people(agency)
    return JsonResponse({"results": [{"id": p.pk, "label": p.get_full_name() or p.username} for p in people]})


@login_required
@perm_required("escalations.raise")
def raise_child_details(request: PersonRequest) -> HttpResponse:
    """`?child=`: the chosen child's siblings and evidence fields, as HTML for the form (404 for a
    child this person may not see, as for one that does not exist)."""
    user = request.user
    child = get_child_for_user(user, request.GET.get("child", ""))
    agencies = Agency.objects.filter(pk__in=user.agency_ids_with_role(RAISING_ROLES))  # type: ignore[union-attr]
    form = forms.RaiseForm(children=children_visible_to(user), raising_agencies=agencies)
    siblings, events = child_details(user, child)
    form.offer_child_details(siblings=siblings, events=events)
    html = render_to_string("escalations/includes/raise_child_details.html", {"form": form}, request=request)
    return HttpResponse(html)
