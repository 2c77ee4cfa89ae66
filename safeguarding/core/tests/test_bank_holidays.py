"""The partnership's bank holiday amendments: services, the calendar they change, the page, the API
and the command. Allowed: the business unit; others read only (404 or 403 when they try to change)."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.api.tests.factories import signed_in_client
from safeguarding.core import bank_holidays, calendar
from safeguarding.core.enums import HolidayChange
from safeguarding.core.kernel import NotAllowed
from safeguarding.core.models import ActivityLog, BankHolidayAmendment
from safeguarding.core.permissions import BUSINESS_UNIT_ROLE
from safeguarding.testing import factories as f

EXTRA = date(2027, 6, 7)  # a Monday: an imagined bank holiday announced after the package's release
EARLY_MAY_2027 = date(2027, 5, 3)


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(date(2026, 12, 7), tick=False)


@pytest.fixture
def business(db: None) -> Any:
    agency = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    return f.member(agency, Role.BUSINESS_UNIT, username="business")


@pytest.fixture
def practitioner(db: None) -> Any:
    return f.member(f.AgencyFactory(code="SCH", name="A School"), Role.PRACTITIONER, username="teacher")


def test_core_names_the_business_unit_role_as_agencies_does() -> None:
    assert Role.BUSINESS_UNIT == BUSINESS_UNIT_ROLE


def test_an_extra_bank_holiday_changes_the_clocks_at_once_and_is_logged(business: Any) -> None:
    assert calendar.add_working_days(date(2027, 6, 4), 1) == EXTRA
    row = bank_holidays.add_bank_holiday(actor=business, day=EXTRA, name="A new bank holiday", reason="Proclaimed")
    assert calendar.add_working_days(date(2027, 6, 4), 1) == date(2027, 6, 8)
    assert calendar.current().bank_holidays(2027)[EXTRA] == "A new bank holiday"
    log = ActivityLog.objects.get(action="bank_holiday.added")
    assert (log.actor, log.target_id, log.changes["name"]) == (business, str(row.pk), [None, "A new bank holiday"])


def test_cancelling_an_extra_one_removes_it_and_cancelling_a_package_one_makes_a_working_day(business: Any) -> None:
    bank_holidays.add_bank_holiday(actor=business, day=EXTRA, name="A new bank holiday")
    assert bank_holidays.cancel_bank_holiday(actor=business, day=EXTRA) is None
    assert not BankHolidayAmendment.objects.exists()
    assert calendar.is_working_day(EXTRA)
    row = bank_holidays.cancel_bank_holiday(actor=business, day=EARLY_MAY_2027, reason="Moved to 7 May")
    assert row is not None
    assert (row.change, row.name) == (HolidayChange.CANCELLED, "May Day")
    assert calendar.is_working_day(EARLY_MAY_2027)
    # Restored by adding it again.
    bank_holidays.add_bank_holiday(actor=business, day=EARLY_MAY_2027, name="Early May bank holiday")
    assert not calendar.is_working_day(EARLY_MAY_2027)
    actions = list(ActivityLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["bank_holiday.added", "bank_holiday.removed", "bank_holiday.cancelled", "bank_holiday.added"]


def test_the_calendar_reads_the_shared_cache_again_after_a_change(business: Any) -> None:
    calendar.current()
    BankHolidayAmendment.objects.create(day=EXTRA, change=HolidayChange.ADDED, name="Written elsewhere")
    assert calendar.is_working_day(EXTRA)  # this process still holds what it read
    calendar.forget()  # what every change does, now and after its commit
    assert not calendar.is_working_day(EXTRA)


@pytest.mark.parametrize(
    ("day", "name", "message"),
    [
        (date(2027, 6, 5), "X", "is a weekend day"),
        (EARLY_MAY_2027, "X", "is already a bank holiday: May Day"),
        (EXTRA, "", "Enter the bank holiday's name"),
        (date(2011, 4, 29), "Royal wedding", "Enter a date from 1 January 2012 on"),
    ],
)
def test_bad_additions_are_refused_with_a_specific_message(business: Any, day: date, name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        bank_holidays.add_bank_holiday(actor=business, day=day, name=name)
    assert not ActivityLog.objects.exists()


def test_cancelling_an_ordinary_day_is_refused(business: Any) -> None:
    with pytest.raises(ValidationError, match="is not a bank holiday"):
        bank_holidays.cancel_bank_holiday(actor=business, day=date(2027, 6, 8))


def test_only_the_business_unit_changes_the_list(practitioner: Any) -> None:
    with pytest.raises(NotAllowed):
        bank_holidays.add_bank_holiday(actor=practitioner, day=EXTRA, name="Mine")
    assert not BankHolidayAmendment.objects.exists()


def test_page_lists_and_changes_for_the_business_unit(business: Any, client_for: Any) -> None:
    client = client_for(business)
    page = client.get("/bank-holidays/").content.decode()
    assert "31 December 2027" in page
    assert "Monday 3 May 2027" in page
    response = client.post("/bank-holidays/", {"change": "add", "day": "07/06/2027", "name": "A new bank holiday"})
    assert response.status_code == 302
    assert BankHolidayAmendment.objects.get().day == EXTRA
    again = client.post("/bank-holidays/", {"change": "add", "day": "05/06/2027", "name": "Saturday"})
    body = again.content.decode()
    assert "<title>Error: Bank holidays" in body
    assert "is a weekend day" in body
    assert 'value="05/06/2027"' in body  # keeps what was typed


def test_page_is_read_only_for_others(practitioner: Any, client_for: Any) -> None:
    client = client_for(practitioner)
    assert "Change a day" not in client.get("/bank-holidays/").content.decode()
    assert client.post("/bank-holidays/", {"change": "add", "day": "07/06/2027", "name": "X"}).status_code == 403
    assert not BankHolidayAmendment.objects.exists()


def test_api_reads_the_calendar_and_changes_the_list(business: Any, practitioner: Any) -> None:
    client = signed_in_client(business, verified=True)
    year = client.get("/api/v1/bank-holidays/calendar/?year=2027").json()
    assert (year["known_until"], {"day": "2027-05-03", "name": "May Day"} in year["bank_holidays"]) == (
        "2027-12-31",
        True,
    )
    added = client.post("/api/v1/bank-holidays/add/", {"day": "2027-06-07", "name": "A new bank holiday"})
    assert added.status_code == 201
    assert client.get("/api/v1/bank-holidays/").json()[0]["day"] == "2027-06-07"
    refused = client.post("/api/v1/bank-holidays/add/", {"day": "2027-06-05", "name": "Saturday"})
    assert refused.status_code == 400
    assert "weekend" in refused.json()["errors"]["day"][0]
    assert client.post("/api/v1/bank-holidays/cancel/", {"day": "2027-06-07"}).status_code == 204
    other = signed_in_client(practitioner, verified=True)
    assert other.post("/api/v1/bank-holidays/add/", {"day": "2027-06-07", "name": "X"}).status_code == 404
    assert client.get("/api/v1/bank-holidays/calendar/?year=abc").status_code == 400


def test_command_lists_adds_and_cancels(db: None) -> None:
    out = StringIO()
    call_command("bank_holidays", "add", "2027-06-07", "A new bank holiday", stdout=out)
    call_command("bank_holidays", "cancel", "2027-05-03", "--reason", "Moved", stdout=out)
    call_command("bank_holidays", "list", "--year", "2027", stdout=out)
    text = out.getvalue()
    assert "2027-06-07  Mon  A new bank holiday  [added by the partnership]" in text
    assert "2027-05-03  Mon  cancelled by the partnership (a working day)" in text
    assert set(ActivityLog.objects.values_list("via", flat=True)) == {"command"}
    with pytest.raises(CommandError, match="not a date"):
        call_command("bank_holidays", "add", "7/6/2027", "X")
    with pytest.raises(CommandError, match="already on the list"):
        call_command("bank_holidays", "add", "2027-06-07", "Again")


def test_command_lists_a_cancelled_bank_holiday_put_back_as_restored_not_added(db: None) -> None:
    out = StringIO()
    call_command("bank_holidays", "cancel", "2027-05-03", "--reason", "Moved", stdout=out)
    call_command("bank_holidays", "add", "2027-05-03", "Early May bank holiday", stdout=out)
    call_command("bank_holidays", "list", "--year", "2027", stdout=out)
    text = out.getvalue()
    assert "2027-05-03  Mon  Early May bank holiday  [restored by the partnership]" in text
    assert "[added by the partnership]" not in text


def test_api_refuses_an_empty_or_impossible_year(business: Any) -> None:
    client = signed_in_client(business, verified=True)
    assert client.get("/api/v1/bank-holidays/calendar/?year=").status_code == 400
    assert client.get("/api/v1/bank-holidays/calendar/?year=1800").status_code == 400
    assert client.get("/api/v1/bank-holidays/calendar/").json()["year"] == 2026
