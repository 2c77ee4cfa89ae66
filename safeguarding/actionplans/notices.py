"""The daily emails of action plans: overdue actions and re-checks due, each to the action's lead
officer and every business unit member, once per due date (or re-check date), with a notice row so a
second run, or a second worker, never tells them twice. Emails name no child: the action's reference,
its plan, the date and a link.

`manage.py flag_overdue_actions` and `manage.py flag_rechecks_due` (or their tasks) call these, daily.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from safeguarding.actionplans.models import Action, ActionQuerySet, OverdueNotice, RecheckNotice
from safeguarding.agencies.enums import Role
from safeguarding.core.dates import long_date
from safeguarding.core.services import record_activity

Message = tuple[str, str, str, list[str]]


def _business_unit_emails() -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__role=Role.BUSINESS_UNIT,
            memberships__is_active=True,
            memberships__agency__is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _link(action: Action) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("actionplans:action", args=[action.pk])


def _overdue_message(action: Action, to: list[str]) -> Message:
    body = (
        f"Action {action.reference} in the plan '{action.plan.title}' was due on {long_date(action.due_on)} "
        f"and is not complete.\n\nLead officer: {action.lead_officer}\nLead agency: {action.lead_agency.name}\n\n"
        f"Add an update or agree a new due date:\n{_link(action)}\n\n"
        "This email holds no personal details. Do not forward it outside your agency."
    )
    return (f"Action {action.reference} is overdue", body, settings.DEFAULT_FROM_EMAIL, to)


def _recheck_message(action: Action, to: list[str]) -> Message:
    if action.recheck_on is None:  # only actions with a re-check date are chosen for this message
        raise ValueError(f"Action {action.pk} has no re-check date.")
    body = (
        f"Action {action.reference} in the plan '{action.plan.title}' is complete, and its re-check was due on "
        f"{long_date(action.recheck_on)}: check that the change held (for example by a re-audit).\n\n"
        f"Lead officer: {action.lead_officer}\nLead agency: {action.lead_agency.name}\n\n"
        f"Record the re-check (held, or did not hold) on the action's page:\n{_link(action)}\n\n"
        "This email holds no personal details. Do not forward it outside your agency."
    )
    return (f"Action {action.reference}: re-check due", body, settings.DEFAULT_FROM_EMAIL, to)


def _flag(
    pending: ActionQuerySet,
    notice: type[models.Model],
    date_field: str,
    message: Callable[[Action, list[str]], Message],
    log_action: str,
) -> int:
    """Write a notice per pending action (its date field's value is the once-per key), email after
    commit, log. Returns how many actions were flagged."""
    flagged = 0
    business_unit = _business_unit_emails()
    for action in pending.select_related("plan", "lead_officer", "lead_agency").order_by(date_field, "pk"):
        day = getattr(action, date_field)
        with transaction.atomic():
            _, created = notice._default_manager.get_or_create(
                action=action, **{date_field: day}, defaults={"sent_at": timezone.now()}
            )
            if not created:
                continue  # another worker told them
            to = sorted({*business_unit, *([action.lead_officer.email] if action.lead_officer.email else [])})
            if to:
                email = message(action, to)
                transaction.on_commit(lambda m=email: send_mass_mail([m], fail_silently=True))  # type: ignore[misc]
            record_activity(actor=None, action=log_action, target=action, changes={date_field: [None, day.isoformat()]})
            flagged += 1
    return flagged


def flag_overdue_actions(*, today: date | None = None) -> int:
    """Tell the lead officer and the business unit about each overdue action, once per due date (a
    new due date is told again when it passes). Returns how many actions were flagged."""
    today = today or timezone.localdate()
    told = OverdueNotice.objects.filter(action_id=OuterRef("pk"), due_on=OuterRef("due_on"))
    pending = Action.objects.overdue(today).exclude(Exists(told))
    return _flag(pending, OverdueNotice, "due_on", _overdue_message, "actionplan.action_overdue")


def flag_rechecks_due(*, today: date | None = None) -> int:
    """Tell the lead officer and the business unit about each action whose re-check is due (complete,
    signed off or not; re-check date today or earlier; no re-check that held recorded), once per
    re-check date (a new date is told again when it arrives). Returns how many actions were flagged."""
    today = today or timezone.localdate()
    told = RecheckNotice.objects.filter(action_id=OuterRef("pk"), recheck_on=OuterRef("recheck_on"))
    pending = Action.objects.recheck_due(today).exclude(Exists(told))
    return _flag(pending, RecheckNotice, "recheck_on", _recheck_message, "actionplan.recheck_due")
