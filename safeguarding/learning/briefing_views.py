"""Learning briefing pages: practitioners read published briefings (page and one-page PDF); the business
unit writes them from a review's findings, edits drafts and publishes them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.core.access import require_perm
from safeguarding.core.services import record_activity
from safeguarding.learning import briefings, exports, forms, queries
from safeguarding.learning.anonymise import finding_titles
from safeguarding.learning.models import LearningBriefing
from safeguarding.learning.services import LearningError
from safeguarding.learning.views import add_errors
from safeguarding.reviews.queries import get_review_for_user

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
def briefing_list(request: PersonRequest) -> HttpResponse:
    require_perm(request.user, "learning.use")
    qs = queries.briefings_visible_to(request.user).select_related("review")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/briefings.html",
        {"page": page},
    )


@login_required
def briefing_detail(request: PersonRequest, pk: int) -> HttpResponse:
    briefing = queries.get_briefing_for_user(request.user, pk)
    return render(
        request,
        "learning/briefing.html",
        {
            "briefing": briefing,
            "findings": finding_titles(briefing.review, list(briefing.findings.order_by("number"))),
            "publish_form": forms.VersionForm(initial={"version": briefing.version}),
        },
    )


@login_required
def briefing_pdf(request: PersonRequest, pk: int) -> HttpResponse:
    briefing = queries.get_briefing_for_user(request.user, pk)
    record_activity(actor=request.user, action="learning.briefing_downloaded", target=briefing)
    response = HttpResponse(exports.briefing_pdf(briefing), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.briefing_filename(briefing)}"'
    return response


def _form_page(request: PersonRequest, *, review: Any, briefing: LearningBriefing | None) -> HttpResponse:
    if briefing is not None:
        initial: dict[str, Any] = {
            "title": briefing.title,
            **{name: getattr(briefing, name) for name in LearningBriefing.SECTIONS},
            "findings": list(briefing.findings.all()),
            "version": briefing.version,
        }
    else:
        initial = {**briefings.briefing_prefill(review), "findings": list(review.findings.all())}
    form = forms.BriefingForm(data=request.POST or None, initial=initial, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sections = {name: data[name] for name in ("title", *LearningBriefing.SECTIONS)}
        try:
            if briefing is None:
                saved = briefings.create_briefing(
                    actor=request.user, review=review, findings=list(data["findings"]), **sections
                )
            else:
                saved = briefings.update_briefing(
                    actor=request.user,
                    briefing=briefing,
                    version=data.get("version") or 0,
                    findings=list(data["findings"]),
                    **sections,
                )
        except ValidationError as exc:
            add_errors(form, exc)
        except LearningError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Briefing saved." + ("" if saved.is_published else " Publish it when it is ready.")
            )
            return redirect("learning:briefing", pk=saved.pk)
    return render(request, "learning/briefing_form.html", {"form": form, "review": review, "briefing": briefing})


@login_required
def briefing_create(request: PersonRequest, review_pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    review = get_review_for_user(request.user, review_pk)
    return _form_page(request, review=review, briefing=None)


@login_required
def briefing_edit(request: PersonRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    briefing = queries.get_briefing_for_user(request.user, pk)
    return _form_page(request, review=briefing.review, briefing=briefing)


@login_required
@require_POST
def briefing_publish(request: PersonRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "learning.manage")
    briefing = queries.get_briefing_for_user(request.user, pk)
    form = forms.VersionForm(data=request.POST)
    if not form.is_valid():
        messages.error(request, "Read the briefing again, then publish it.")
        return redirect("learning:briefing", pk=briefing.pk)
    try:
        briefings.publish_briefing(actor=request.user, briefing=briefing, version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except LearningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Briefing published: everyone in the partnership can now read it.")
    return redirect("learning:briefing", pk=briefing.pk)
