"""Pages for administrators to create and revoke agency API tokens.

Two-factor sign-in is required by the page middleware, as for every page. Anyone who is not an
administrator gets 404, the same as for a page that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from safeguarding.api.forms import ApiTokenForm
from safeguarding.api.models import AgencyApiToken
from safeguarding.api.permissions import can_manage_api_tokens
from safeguarding.api.services import create_api_token, revoke_api_token

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

View = Callable[..., HttpResponse]


def administrator_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage_api_tokens(user):
            raise Http404("Page not found")
        return view(request, *args, **kwargs)

    return wrapper


# administrator_required comes first, so that even a wrong method answers 404 to everyone else.
@administrator_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = AgencyApiToken.objects.select_related("agency").order_by(
        F("revoked_at").desc(nulls_first=True), "agency__name", "name", "-created_at"
    )
    return render(request, "api/token_list.html", {"tokens": tokens})


@never_cache
@administrator_required
@require_http_methods(["GET", "POST"])
def token_create(request: PersonRequest) -> HttpResponse:
    form = ApiTokenForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = create_api_token(
                actor=request.user, agency=form.cleaned_data["agency"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            # The key is shown in this response only: it is not stored, put in a URL or in the session.
            return render(request, "api/token_created.html", {"token": token, "key": key})
    return render(request, "api/token_form.html", {"form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: PersonRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AgencyApiToken.objects.select_related("agency"), pk=pk)
    if not token.is_active:
        messages.info(request, f"The token ‘{token.name}’ for {token.agency.name} was already revoked.")
        return redirect("api:tokens")
    if request.method == "POST":
        revoke_api_token(actor=request.user, token=token)
        messages.success(
            request,
            f"Token ‘{token.name}’ for {token.agency.name} revoked. Systems using it can no longer call the API.",
        )
        return redirect("api:tokens")
    return render(request, "api/token_revoke.html", {"token": token})
