from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from safeguarding.agencies import permissions  # noqa: F401 — registers the rules asked here
from safeguarding.agencies.models import Agency, Membership
from safeguarding.core.access import perm_required

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("agencies.view_partnership")
def agency_list(request: PersonRequest) -> HttpResponse:
    agencies = Agency.objects.annotate(
        team_count=Count("teams", distinct=True),
        member_count=Count("memberships__user", filter=Q(memberships__is_active=True), distinct=True),
    ).order_by("name")
    return render(request, "agencies/list.html", {"agencies": agencies})


@login_required
@perm_required("agencies.view_partnership")
def agency_detail(request: PersonRequest, code: str) -> HttpResponse:
    memberships = Membership.objects.active().select_related("user", "team").order_by("user__last_name", "role")
    agency = get_object_or_404(
        Agency.objects.prefetch_related(
            "teams", Prefetch("memberships", queryset=memberships, to_attr="active_members")
        ),
        code=code,
    )
    return render(request, "agencies/detail.html", {"agency": agency})
