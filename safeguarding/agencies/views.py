from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from safeguarding.agencies import permissions
from safeguarding.agencies.models import Agency, Membership


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_partnership(request.user):
        raise Http404
    agencies = Agency.objects.annotate(
        team_count=Count("teams", distinct=True),
        member_count=Count("memberships__user", filter=Q(memberships__is_active=True), distinct=True),
    ).order_by("name")
    return render(request, "agencies/list.html", {"agencies": agencies})


@login_required
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not permissions.can_view_partnership(request.user):
        raise Http404
    memberships = Membership.objects.active().select_related("user", "team").order_by("user__last_name", "role")
    agency = get_object_or_404(
        Agency.objects.prefetch_related(
            "teams", Prefetch("memberships", queryset=memberships, to_attr="active_members")
        ),
        code=code,
    )
    return render(request, "agencies/detail.html", {"agency": agency})
