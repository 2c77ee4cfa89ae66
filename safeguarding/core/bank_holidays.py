"""The partnership's list of bank holiday amendments (`BankHolidayAmendment`): the only code that
changes it. Every change writes the activity log and makes the calendar (`core.calendar`) read the
list again, in this process at once and in every process after the commit.

- `add_bank_holiday`: an extra bank holiday (or a cancelled one restored, under the name given).
- `cancel_bank_holiday`: a package bank holiday becomes a working day; an extra one is removed.
A moved bank holiday is both: cancel the old day, add the new one.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from safeguarding.core import calendar, kernel
from safeguarding.core.enums import HolidayChange
from safeguarding.core.models import BankHolidayAmendment
from safeguarding.core.permissions import can_manage_bank_holidays
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person

NOT_ALLOWED = "Only the partnership's business unit can change the list of bank holidays."
RACE = "Someone else changed this day at the same time. Check the list as it is now, then try again."


def _checked_day(day: date) -> None:
    if day < calendar.KNOWN_FROM:
        raise ValidationError({"day": f"Enter a date from {calendar.KNOWN_FROM:%-d %B %Y} on."})
    if day.weekday() >= 5:
        raise ValidationError(
            {"day": f"{day:%A %-d %B %Y} is a weekend day, never a working day: it needs no bank holiday."}
        )


def _changed() -> None:
    calendar.forget()
    transaction.on_commit(calendar.forget)


def _save(existing: BankHolidayAmendment | None, **values: object) -> BankHolidayAmendment:
    try:
        with transaction.atomic():
            if existing is None:
                return BankHolidayAmendment.objects.create(**values)
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save(update_fields=list(values))
            return existing
    except IntegrityError as exc:
        raise kernel.ServiceError(RACE) from exc


@kernel.service
def add_bank_holiday(*, actor: Person | None, day: date, name: str, reason: str = "") -> BankHolidayAmendment:
    """Make `day` a bank holiday named `name` (`actor` None: an operator's command)."""
    kernel.require(actor is None or can_manage_bank_holidays(actor), NOT_ALLOWED)
    name, reason = name.strip(), reason.strip()
    _checked_day(day)
    if not name:
        raise ValidationError({"name": "Enter the bank holiday's name, for example 'Coronation of King Charles III'."})
    existing = BankHolidayAmendment.objects.select_for_update().filter(day=day).first()
    package_name = calendar.package_bank_holidays(day.year).get(day)
    if existing is not None and existing.change == HolidayChange.ADDED:
        raise ValidationError({"day": f"{day:%-d %B %Y} is already on the list as {existing.name}."})
    if existing is None and package_name is not None:
        raise ValidationError({"day": f"{day:%-d %B %Y} is already a bank holiday: {package_name}."})
    before = {"change": existing.change if existing else None, "name": existing.name if existing else None}
    row = _save(
        existing,
        day=day,
        change=HolidayChange.ADDED,
        name=name,
        reason=reason,
        changed_by=actor,
        changed_at=kernel.now(),
    )
    changes = {"day": [None, day.isoformat()], "change": [before["change"], row.change], "name": [before["name"], name]}
    record_activity(actor=actor, action="bank_holiday.added", target=row, changes=changes)
    _changed()
    return row


@kernel.service
def cancel_bank_holiday(*, actor: Person | None, day: date, reason: str = "") -> BankHolidayAmendment | None:
    """Make `day` a working day: a package bank holiday is marked cancelled (answered), an extra one
    taken off the list (answers None)."""
    kernel.require(actor is None or can_manage_bank_holidays(actor), NOT_ALLOWED)
    _checked_day(day)
    existing = BankHolidayAmendment.objects.select_for_update().filter(day=day).first()
    package_name = calendar.package_bank_holidays(day.year).get(day)
    if existing is not None and existing.change == HolidayChange.CANCELLED:
        raise ValidationError(
            {"day": f"{existing.name or 'The bank holiday'} on {day:%-d %B %Y} is already cancelled."}
        )
    if existing is None and package_name is None:
        raise ValidationError({"day": f"{day:%A %-d %B %Y} is not a bank holiday, so there is nothing to cancel."})
    if existing is not None and package_name is None:
        record_activity(
            actor=actor,
            action="bank_holiday.removed",
            target=existing,
            changes={"day": [day.isoformat(), None], "name": [existing.name, None], "reason": [None, reason.strip()]},
        )
        existing.delete()
        _changed()
        return None
    before = existing.change if existing else None
    row = _save(
        existing,
        day=day,
        change=HolidayChange.CANCELLED,
        name=package_name or "",
        reason=reason.strip(),
        changed_by=actor,
        changed_at=kernel.now(),
    )
    changes = {"day": [None, day.isoformat()], "change": [before, row.change], "name": [None, row.name]}
    record_activity(actor=actor, action="bank_holiday.cancelled", target=row, changes=changes)
    _changed()
    return row
