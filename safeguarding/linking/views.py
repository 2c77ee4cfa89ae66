"""The data stewards' pages: the queue of possible matches, one pair side by side with accept and
reject, the merges made and undoing one. Every view of a pair is logged against both records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.children.services import record_child_view
from safeguarding.core.forms import attempt
from safeguarding.linking import queries, services
from safeguarding.linking.forms import ACCEPT, DecideMatchForm, UnmergeForm

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

FIELDS = [
    ("First name", "first_name"),
    ("Last name", "last_name"),
    ("Other names", "other_names"),
    ("Date of birth", "date_of_birth"),
    ("Sex", "get_sex_display"),
    ("NHS number", "nhs_number"),
]


@login_required
def queue(request: PersonRequest) -> HttpResponse:
    page = Paginator(queries.pending_matches(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "linking/queue.html", {"page": page})


def _rows(match_a: object, match_b: object) -> list[tuple[str, object, object, bool]]:
    rows = []
    for label, name in FIELDS:
        a, b = getattr(match_a, name), getattr(match_b, name)
        a, b = (a() if callable(a) else a), (b() if callable(b) else b)
        rows.append((label, a or "", b or "", bool(a) and bool(b) and a != b))
    return rows


@login_required
def match_detail(request: PersonRequest, pk: int) -> HttpResponse:
    match = queries.get_match_for_steward(request.user, pk)
    form = DecideMatchForm(data=request.POST or None, initial={"version": match.version})
    # A pair decided by someone else since this page was opened: the service refuses it as stale.
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decide = services.accept_match if data["decision"] == ACCEPT else services.reject_match
        decided: list[object] = []
        try:
            done = attempt(
                form,
                lambda: decided.append(
                    decide(actor=request.user, match=match, version=data["version"], note=data["note"])
                ),
            )
        except PermissionDenied as exc:
            raise Http404("No page found") from exc
        if done and data["decision"] == ACCEPT:
            messages.success(request, "The two records are now one. You can undo this from the merge's page.")
            return redirect("linking:merge", pk=decided[0].pk)  # type: ignore[attr-defined]
        if done:
            messages.success(request, "Kept apart. This pair will not be suggested again.")
            return redirect("linking:queue")
    for child in (match.child_a, match.child_b):
        record_child_view(actor=request.user, child=child, action="possible_match.viewed")
    context = {
        "match": match,
        "form": form,
        "sides": (queries.record_side(match.child_a), queries.record_side(match.child_b)),
        "rows": _rows(match.child_a, match.child_b),
        "reasons": sorted((match.reasons or {}).items()),
    }
    return render(request, "linking/match.html", context)


@login_required
def merge_list(request: PersonRequest) -> HttpResponse:
    page = Paginator(queries.merges_for_steward(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "linking/merges.html", {"page": page})


@login_required
def merge_detail(request: PersonRequest, pk: int) -> HttpResponse:
    merge = queries.get_merge_for_steward(request.user, pk)
    record_child_view(actor=request.user, child=merge.kept, action="possible_match.viewed")
    return render(request, "linking/merge.html", {"merge": merge, "form": UnmergeForm()})


@login_required
@require_POST
def unmerge(request: PersonRequest, pk: int) -> HttpResponse:
    merge = queries.get_merge_for_steward(request.user, pk)
    form = UnmergeForm(data=request.POST)
    if form.is_valid() and attempt(
        form, lambda: services.unmerge_children(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, "Merge undone: the two records stand apart again, each with what it held.")
        return redirect("linking:merge", pk=merge.pk)
    return render(request, "linking/merge.html", {"merge": merge, "form": form}, status=200)
