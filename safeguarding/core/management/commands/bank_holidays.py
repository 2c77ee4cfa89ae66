"""manage.py bank_holidays list [--year YYYY] | add YYYY-MM-DD "NAME" | cancel YYYY-MM-DD [--reason TEXT]

The partnership's amendments of England's bank holidays (docs/reviews.md, "The calendar"): an extra
bank holiday announced after the `holidays` package was released, or a bank holiday cancelled or
moved (cancel the old day, add the new one). Every change is written to the activity log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeguarding.core import bank_holidays, calendar
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via
from safeguarding.core.kernel import ServiceError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date: write it YYYY-MM-DD, for example 2027-05-03.") from exc


class Command(BaseCommand):
    help = "List, add or cancel bank holidays in the partnership's amendments of England's bank holidays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "add", "cancel"])
        parser.add_argument("day", nargs="?", help="The day, YYYY-MM-DD (add, cancel).")
        parser.add_argument("name", nargs="?", default="", help="The bank holiday's name (add).")
        parser.add_argument("--year", type=int, help="The year to list (default: this year and next).")
        parser.add_argument("--reason", default="", help="Why the day changes (kept with the amendment).")
        parser.add_argument("--actor", metavar="USERNAME", help="The business unit member making the change.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options["year"])
            return
        if not options["day"]:
            raise CommandError(f"Give the day: manage.py bank_holidays {options['action']} YYYY-MM-DD.")
        day, actor = _day(options["day"]), self._actor(options["actor"])
        try:
            with use_via(Via.COMMAND):
                if options["action"] == "add":
                    bank_holidays.add_bank_holiday(actor=actor, day=day, name=options["name"], reason=options["reason"])
                    self.stdout.write(self.style.SUCCESS(f"{day:%-d %B %Y} is now a bank holiday: {options['name']}."))
                else:
                    bank_holidays.cancel_bank_holiday(actor=actor, day=day, reason=options["reason"])
                    self.stdout.write(self.style.SUCCESS(f"{day:%-d %B %Y} is now a working day."))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(username=username, is_active=True, is_system=False).first()
        if actor is None:
            raise CommandError(f"No active person has the username {username}. Check --actor.")
        return actor

    def _list(self, year: int | None) -> None:
        this_year = timezone.localdate().year
        first, last = calendar.known_range()
        self.stdout.write(f"Known range for statutory deadlines: {first:%-d %B %Y} to {last:%-d %B %Y}.")
        cal = calendar.current()
        for y in [year] if year else [this_year, this_year + 1]:
            package = calendar.package_bank_holidays(y)
            for day, name in cal.bank_holidays(y).items():
                source = ""
                if day in cal.amendments:  # a cancelled package bank holiday put back is restored, not added
                    source = "  [restored by the partnership]" if day in package else "  [added by the partnership]"
                self.stdout.write(f"{day.isoformat()}  {day:%a}  {name}{source}")
            for day, amended in cal.amendments.items():
                if day.year == y and amended is None:
                    self.stdout.write(f"{day.isoformat()}  {day:%a}  cancelled by the partnership (a working day)")
