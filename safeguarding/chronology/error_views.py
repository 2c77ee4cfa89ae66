"""Marking an entry entered in error, and reinstating it, from the entry's page (issue 17).

Thin: the entry is fetched as its page fetches it (404 for what the person may not see), the form
holds the reason, and `entered_in_error` does the rest (who may, logging, re-evaluating alerts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.chronology import entered_in_error
from safeguarding.chronology.forms import EnteredInErrorForm
from safeguarding.chronology.views import _entry_context, _get_event_for_user
from safeguarding.core.access import require_perm
from safeguarding.core.forms import attempt

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def _act(request: PersonRequest, pk: int, *, reinstating: bool) -> HttpResponse:
    event, children = _get_event_for_user(request.user, pk)
    # Someone who may see the entry but not act on it is told so (hidden=False), not sent a 404.
    require_perm(request.user, "chronology.mark_entered_in_error", event, hidden=False)
    form = EnteredInErrorForm(data=request.POST, reinstating=reinstating)
    service = entered_in_error.reinstate_event if reinstating else entered_in_error.mark_entered_in_error
    if form.is_valid() and attempt(
        form, lambda: service(actor=request.user, event=event, reason=form.cleaned_data["reason"])
    ):
        messages.success(
            request,
            "Entry reinstated: it counts again in highlights and alerts."
            if reinstating
            else "Entry marked as entered in error. It is kept, struck through, and no longer counts.",
        )
        return redirect("chronology:entry", pk=event.pk)
    context = _entry_context(request, event, children)
    context["error_form"] = form
    return render(request, "chronology/entry_detail.html", context)


@login_required
@require_POST
def entry_entered_in_error(request: PersonRequest, pk: int) -> HttpResponse:
    return _act(request, pk, reinstating=False)


@login_required
@require_POST
def entry_reinstate(request: PersonRequest, pk: int) -> HttpResponse:
    return _act(request, pk, reinstating=True)
