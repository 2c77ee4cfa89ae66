"""manage.py record_earlier_review "TITLE" --decided-on YYYY-MM-DD --child NHS_NUMBER:PSEUDONYM --actor USERNAME

Record a review that began before the Hub (a serious case review decided by the LSCB, or a local
practice review decided before the partnership used the Hub) at "in progress", in the regime of its
date (docs/reviews.md "Regime by date"): a serious case review decided after the LSCB's last day, or a
local practice review decided before the partners' first day, is refused with what to choose instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.children.models import Child
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via
from safeguarding.core.kernel import ServiceError
from safeguarding.reviews import services
from safeguarding.reviews.enums import ReviewKind


def _child(text: str) -> services.ChildInput:
    nhs, _, pseudonym = text.partition(":")
    if not pseudonym.strip():
        raise CommandError(f"{text!r}: give each child as NHS_NUMBER:PSEUDONYM, for example 9991000003:Child R.")
    child = Child.objects.filter(nhs_number=nhs.replace(" ", "")).first()
    if child is None:
        raise CommandError(f"No child has the NHS number {nhs.strip()}.")
    return services.ChildInput(child, pseudonym.strip())


class Command(BaseCommand):
    help = "Record an earlier review (e.g. a serious case review decided by the LSCB) at 'in progress'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("title", help='The anonymised title, e.g. "Child R".')
        parser.add_argument("--decided-on", required=True, help="The day the review was decided, YYYY-MM-DD.")
        parser.add_argument("--kind", choices=ReviewKind.values, default=ReviewKind.SCR)
        parser.add_argument("--child", action="append", required=True, help="NHS_NUMBER:PSEUDONYM (repeat).")
        parser.add_argument("--actor", metavar="USERNAME", required=True, help="The business unit member.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            decided_on = date.fromisoformat(options["decided_on"])
        except ValueError as exc:
            raise CommandError(f"{options['decided_on']!r} is not a date: write it YYYY-MM-DD.") from exc
        actor = get_user_model().objects.filter(username=options["actor"], is_active=True, is_system=False).first()
        if actor is None:
            raise CommandError(f"No active person has the username {options['actor']}. Check --actor.")
        children = [_child(text) for text in options["child"]]
        try:
            with use_via(Via.COMMAND):
                review = services.open_legacy_review(
                    actor=actor, title=options["title"], decided_on=decided_on, children=children, kind=options["kind"]
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Recorded {review.reference}: {review.title}, in progress."))
