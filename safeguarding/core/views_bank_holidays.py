"""The bank holidays page: the days the statutory clocks skip, and the partnership's amendments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safeguarding.core import bank_holidays, calendar
from safeguarding.core.access import perm_required
from safeguarding.core.forms import attempt
from safeguarding.core.forms_bank_holidays import BankHolidayForm
from safeguarding.core.models import BankHolidayAmendment

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("core.view_bank_holidays")
def bank_holiday_list(request: PersonRequest) -> HttpResponse:
    can_manage = request.user.has_perm("core.manage_bank_holidays")
    form = BankHolidayForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid() and _change(request, form):
            return redirect("core:bank-holidays")
    this_year = timezone.localdate().year
    cal = calendar.current()
    first, last = calendar.known_range()
    return render(
        request,
        "core/bank_holidays.html",
        {
            "form": form,
            "years": [(y, cal.bank_holidays(y)) for y in (this_year, this_year + 1)],
            "amendments": BankHolidayAmendment.objects.select_related("changed_by"),
            "known_from": first,
            "known_until": last,
        },
    )


def _change(request: PersonRequest, form: BankHolidayForm) -> bool:
    d = dict(form.cleaned_data)  # a refusal takes the field out of cleaned_data: keep what was given
    if d["change"] == "add":
        done = attempt(
            form,
            lambda: bank_holidays.add_bank_holiday(
                actor=request.user, day=d["day"], name=d["name"], reason=d["reason"]
            ),
        )
        text = f"{d['day']:%-d %B %Y} is now a bank holiday: the statutory clocks skip it."
    else:
        done = attempt(
            form, lambda: bank_holidays.cancel_bank_holiday(actor=request.user, day=d["day"], reason=d["reason"])
        )
        text = f"{d['day']:%-d %B %Y} is now a working day: the statutory clocks count it."
    if done:
        messages.success(request, text)
    return done
