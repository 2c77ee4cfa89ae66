from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.api.models import AgencyApiToken, prefix_of
from safeguarding.api.services import revoke_api_token
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Revoke an API token, given the start of its key (as shown on the API tokens page, like sgh_AbCd1234)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The start of the key: 8 characters after 'sgh_', with or without 'sgh_'.")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["prefix"]
        prefix = prefix_of(raw)
        token = AgencyApiToken.objects.select_related("agency").filter(key_prefix=prefix).first() if prefix else None
        if token is None:
            raise CommandError(
                f"No token has a key starting {raw!r}. Copy the 'Key starts with' value from the API tokens page."
            )
        if not token.is_active:
            self.stdout.write(f"The token ‘{token.name}’ for {token.agency.name} was already revoked.")
            return
        with use_via(Via.COMMAND):
            revoke_api_token(actor=None, token=token, system=True)
        self.stdout.write(
            self.style.SUCCESS(f"Revoked the token ‘{token.name}’ for {token.agency.name}. Its key no longer works.")
        )
