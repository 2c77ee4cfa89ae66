from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.agencies.enums import GRANTING_ROLES, Role
from safeguarding.children import queries, services, sharing
from safeguarding.children.forms import ChildSearchForm, GrantAccessForm
from safeguarding.children.models import AccessGrant, Child
from safeguarding.children.sharing_forms import SharingDecisionForm
from safeguarding.children.validators import normalise_nhs_number
from safeguarding.core.access import parse_id, perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.models import ActivityLog
from safeguarding.core.sections import sections_for, upcoming_from

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("children.search_children")
def search(request: PersonRequest) -> HttpResponse:
    form = ChildSearchForm(data=request.GET or None)
    results = None
    page = None
    if form.is_bound and form.is_valid():
        results = queries.search_children(
            request.user,
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            nhs_number=form.cleaned_data["nhs_number"],
        )
        page = Paginator(results, 25).get_page(request.GET.get("page"))
        # A search shows names; record that it happened and how much it returned, not what was typed.
        services.record_search(actor=request.user, results=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "children/search.html",
        {"form": form, "page": page, "searched": results is not None, "query": query.urlencode()},
    )


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    child = queries.get_child_for_user(request.user, pk)
    services.record_child_view(actor=request.user, child=child)
    household_links = child.household_links.select_related("household").order_by("-moved_in")
    relationships = list(child.relationships.select_related("adult", "other_child").order_by("kind"))
    queries.withhold_unseen_children(request.user, [rel.person for rel in relationships])
    context = {
        "child": child,
        "household_links": household_links,
        "relationships": relationships,
        "involvements": queries.involvements_visible_to(request.user, child),
        "grants": queries.active_grants_for_child(child)
        if request.user.has_perm("children.view_child_grants", child)
        else None,
        "sections": sections_for("child", request, child),
        "sharing_notices": sharing.notices_on_record(child),
    }
    return render(request, "children/detail.html", context)


@login_required
def summary(request: PersonRequest, pk: int) -> HttpResponse:
    """One page for the lead professional: who is involved, the open plan and its objectives, open alerts,
    the latest assessment, escalations and the dates coming up. Same access as the record; logged as a
    view of it. Each app adds its part through the "child_summary" sections (core.sections)."""
    child = queries.get_child_for_user(request.user, pk)
    services.record_child_view(actor=request.user, child=child, action="child.summary_viewed")
    involvements = [inv for inv in queries.involvements_visible_to(request.user, child) if inv.is_active_on()]
    parts = sections_for("child_summary", request, child)
    context = {
        "child": child,
        "involvements": involvements,
        "leads": [inv for inv in involvements if inv.lead_professional_id],
        "sections": parts,
        "upcoming": upcoming_from(parts, timezone.localdate()),
    }
    return render(request, "children/summary.html", context)


@login_required
def activity(request: PersonRequest, pk: int) -> HttpResponse:
    child = queries.get_child_for_user(request.user, pk)
    require_perm(request.user, "children.view_child_activity", child)
    services.record_child_view(actor=request.user, child=child, action="child.activity_viewed")
    # A record's history includes that of the records merged into it (the log keeps the ids it was
    # written with; it is never rewritten).
    ids = [child.pk, *Child.all_records.filter(merged_into=child).values_list("pk", flat=True)]
    rows = (
        ActivityLog.objects.filter(subject_child_id__in=ids)
        .exclude(actor_agency_code__in=queries.agencies_hidden_from(request.user, child))
        .select_related("actor")
        .order_by("-at", "-id")
    )
    views_only = request.GET.get("show") != "all"
    if views_only:
        rows = rows.views()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "children/activity.html", {"child": child, "page": page, "views_only": views_only})


def _grantable_users(user: object) -> QuerySet:
    User = get_user_model()
    people = User.objects.filter(is_active=True, is_system=False).exclude(pk=user.pk)  # type: ignore[attr-defined]
    if not user.has_role(Role.BUSINESS_UNIT):  # type: ignore[attr-defined]
        agencies = user.agency_ids_with_role(GRANTING_ROLES)  # type: ignore[attr-defined]
        people = people.filter(memberships__agency_id__in=agencies, memberships__is_active=True)
    return people.distinct().order_by("last_name", "first_name")


def _agencies_overseen(user: object) -> set[int]:
    return user.agency_ids_with_role(GRANTING_ROLES)  # type: ignore[attr-defined]


@login_required
@perm_required("children.grant_access")
def grants(request: PersonRequest) -> HttpResponse:
    rows: QuerySet[AccessGrant]
    if request.user.has_role(Role.BUSINESS_UNIT):  # type: ignore[union-attr]
        rows = AccessGrant.objects.active().select_related("user", "granted_by", "child")
    else:
        rows = queries.grants_given_in_agencies(_agencies_overseen(request.user))
    return render(request, "children/grants.html", {"grants": rows.order_by("expires_at")})


# The one answer for a number nobody has and for a number whose child was born on another day.
NO_CHILD_FOR_GRANT = "No child has that NHS number or Hub ID with that date of birth. Check both and try again."


def _find_child_for_grant(reference: str, date_of_birth: date) -> Child | None:
    """The child with this NHS number (or Hub ID) and this date of birth, or None: the number and
    the date are matched together, in one query, so a form cannot confirm that a number exists."""
    reference = reference.strip()
    digits = normalise_nhs_number(reference)
    children = Child.objects.filter(date_of_birth=date_of_birth)
    if len(digits) == 10 and digits.isdigit():
        return children.filter(nhs_number=digits).first()
    pk = parse_id(reference)
    return children.filter(pk=pk).first() if pk is not None else None


@login_required
@perm_required("children.grant_access")
def grant_new(request: PersonRequest) -> HttpResponse:
    form = GrantAccessForm(data=request.POST or None, users=_grantable_users(request.user))
    if request.method == "POST" and form.is_valid():
        child = _find_child_for_grant(form.cleaned_data["child_reference"], form.cleaned_data["child_date_of_birth"])
        if child is None:
            form.add_error("child_reference", NO_CHILD_FOR_GRANT)
        else:
            try:
                services.grant_access(
                    actor=request.user,
                    user=form.cleaned_data["user"],
                    child=child,
                    reason=form.cleaned_data["reason"],
                    days=form.cleaned_data["days"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied:
                form.add_error("user", "You cannot give this person access.")
            else:
                messages.success(request, f"Access given to {form.cleaned_data['user'].get_full_name()}.")
                return redirect("children:grants")
    return render(request, "children/grant_new.html", {"form": form})


@login_required
@require_POST
@perm_required("children.grant_access")
def grant_revoke(request: PersonRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(AccessGrant.objects.select_related("user"), pk=pk)
    try:
        services.revoke_grant(actor=request.user, grant=grant)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, "Access ended.")
    return redirect("children:grants")


# --- Sharing in is not seeing: deciding on an agency that shared without being involved ----------


@login_required
def sharing_list(request: PersonRequest) -> HttpResponse:
    notices = sharing.notices_for_decider(request.user)
    page = Paginator(notices.order_by("-last_shared_at", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "children/sharing_list.html", {"page": page})


@login_required
def sharing_detail(request: PersonRequest, pk: int) -> HttpResponse:
    notice = sharing.get_notice_for_decider(request.user, pk)
    form = SharingDecisionForm(data=request.POST or None, initial={"version": notice.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = attempt(
                form,
                lambda: sharing.decide_sharing(
                    actor=request.user,
                    notice=notice,
                    decision=data["decision"],
                    version=data["version"],
                    lawful_basis=data["lawful_basis"],
                    service=data["service"],
                    reason=data["reason"],
                ),
            )
        except PermissionDenied as exc:
            raise Http404("No page found") from exc
        if decided:
            messages.success(request, f"Decision saved for {notice.agency.name}.")
            return redirect("children:sharing")
    services.record_child_view(actor=request.user, child=notice.child, action="sharing_notice.viewed")
    entries = sharing.entries_shared(request.user, notice)
    return render(request, "children/sharing_detail.html", {"notice": notice, "form": form, "entries": entries})
