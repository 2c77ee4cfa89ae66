from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.models import Agency
from safeguarding.api.services import create_api_token
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Create an API token for an agency's system and print its key (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's code, like POLICE.")
        parser.add_argument("--name", required=True, help="The system that will use it, like 'Police case system'.")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["agency"].strip().upper()
        try:
            agency = Agency.objects.get(code=code)
        except Agency.DoesNotExist as exc:
            raise CommandError(
                f"No agency has the code {code!r}. Check the code on the Partnership pages and try again."
            ) from exc
        try:
            with use_via(Via.COMMAND):
                token, key = create_api_token(actor=None, agency=agency, name=options["name"], system=True)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created the token ‘{token.name}’ for {agency.name}."))
        self.stdout.write(key)
        self.stdout.write("Copy the key now: it will not be shown again.")
        self.stdout.write("The system sends it in every request as 'Authorization: Token <key>'.")
