"""`manage.py train_linkage_model [--dry-run] [--actor USERNAME]`: train the probabilistic linkage
model on the Hub's own child records (u by random sampling, m by expectation maximisation) and store
it as a new version, which every later import and API post uses. Run it after large imports, and
whenever the partnership's data changes shape (a new agency's files)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.linking import training


class Command(BaseCommand):
    help = "Train the child-record linkage model on the Hub's records and store it as a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Train and report, but store nothing.")
        parser.add_argument("--actor", help="The username of the person running it, for the activity log.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user has the username {options['actor']}. Check the spelling.")
        started = time.monotonic()
        model = training.train_model(actor=actor, dry_run=options["dry_run"])
        seconds = time.monotonic() - started
        if model is None:
            self.stdout.write(f"Dry run: trained on the Hub's records in {seconds:.1f} s; nothing stored.")
            return
        self.stdout.write(
            f"Linkage model version {model.version} trained on {model.records} child records in {seconds:.1f} s."
        )
