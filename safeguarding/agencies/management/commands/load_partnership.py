"""manage.py load_partnership FILE.yaml [--dry-run] [--actor USERNAME]

Creates or updates the partnership's agencies, teams and users from a partnership file
(docs/partnership-file.md). A file with any problem is rejected whole, with every problem listed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.models import User
from safeguarding.agencies.partnership_file import PartnershipFileError
from safeguarding.agencies.services import load_partnership
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = (
        "Create or update agencies, teams, users and memberships from a partnership file (YAML). "
        "See docs/partnership-file.md. Running the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The partnership file, e.g. examples/partnership.yaml.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report what would change, saving nothing."
        )
        parser.add_argument(
            "--actor", metavar="USERNAME", help="The administrator running the load, recorded in the activity log."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True, is_system=False).first()
            if actor is None:
                raise CommandError(f"No active person has the username {options['actor']}. Check --actor.")
        try:
            with use_via(Via.COMMAND):
                report = load_partnership(actor=actor, path=options["file"], dry_run=options["dry_run"])
        except PartnershipFileError as exc:
            raise CommandError(exc.message) from exc

        if report.dry_run:
            self.stdout.write("Dry run: nothing was saved. Loading this file would make these changes.")
        if report.label:
            self.stdout.write(report.label)
        if options["verbosity"] >= 2:
            for line in report.changes:
                self.stdout.write(f"  {line}")
        style = self.style.SUCCESS if report.has_changes and not report.dry_run else self.style.NOTICE
        self.stdout.write(style(report.summary()))
        if report.users.created and not report.dry_run:
            self.stdout.write(
                "New users cannot sign in until an administrator sets their password "
                "(manage.py changepassword USERNAME, or the Django admin); "
                "they set up their authenticator app when they first sign in."
            )
