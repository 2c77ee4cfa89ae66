"""manage.py seed_demo [--size small|large] [--seed N] [--if-empty]

Fills an empty database with the fictional Northbridge partnership: agencies, staff with demo
sign-in accounts, and synthetic families with the agencies involved. Never in production.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from safeguarding.agencies.models import Agency
from safeguarding.agencies.partnership_file import PartnershipFileError
from safeguarding.children.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PERSONAS
from safeguarding.children.demo.families import SIZES
from safeguarding.children.demo.seed import seed_demo
from safeguarding.children.models import Adult, Child, Household
from safeguarding.core import demo
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = (
        "Create a fictional partnership (Northbridge) with demo sign-in accounts and synthetic families. "
        "Only for development, demonstrations and benchmarks: it refuses to run in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=list(SIZES),
            default="small",
            help="small: about 200 children (seconds); large: 46,000 children, for benchmarks (minutes).",
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same people (default 1).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing, successfully, when any agency already exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo does not run in production (DJANGO_ENV=production): its accounts share a published "
                "password and authenticator key. Load real agencies and staff with load_partnership."
            )
        if options["if_empty"] and Agency.objects.exists():
            self.stdout.write("The database already has agencies, so no demo data was added (--if-empty).")
            return
        if Child.objects.exists() or Adult.objects.exists() or Household.objects.exists():
            raise CommandError(
                "The database already holds children, adults or households. seed_demo only fills an empty "
                "database: start from a fresh one (e.g. delete var/db.sqlite3 and migrate), or pass --if-empty."
            )

        started = time.monotonic()
        self.stdout.write(f"Seeding the {options['size']} demo partnership (seed {options['seed']})…")
        try:
            # Demo workflows would email their synthetic people: keep those messages in memory.
            # One transaction for the families and every app's step: a step that fails leaves the
            # database as it was (empty), never 46,000 children with the later steps missing.
            with (
                use_via(Via.COMMAND),
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                result = seed_demo(size=options["size"], seed=options["seed"], progress=self._progress)
                # Then each feature app's own demo data (chronologies, escalations, …).
                demo.run_steps(demo.DemoContext(size=options["size"], seed=options["seed"], log=self.stdout.write))
        except PartnershipFileError as exc:
            raise CommandError(exc.message) from exc
        except demo.DemoStepError as exc:
            raise CommandError(f"{exc} Nothing was saved: the database is as it was before seed_demo ran.") from exc
        elapsed = time.monotonic() - started

        counts = result.counts
        self.stdout.write(self.style.SUCCESS(f"Demo partnership created in {elapsed:.1f} s."))
        self.stdout.write(
            f"  {counts['agencies']} agencies, {counts['users']} staff, {counts['households']:,} households, "
            f"{counts['children']:,} children, {counts['adults']:,} adults, {counts['involvements']:,} involvements "
            f"({counts['restricted_involvements']} restricted), {counts['access_grants']} live access grants."
        )
        self.stdout.write("")
        self.stdout.write("Demo sign-in accounts (synthetic data only):")
        width = max(len(username) for username, _ in PERSONAS)
        for username, who in PERSONAS:
            self.stdout.write(f"  {username:<{width}}  {who}")
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        self.stdout.write(
            f"Authenticator secret shared by every demo account: {DEMO_TOTP_SECRET} "
            "(add it to an authenticator app, or print the current code with: manage.py demo_code USERNAME)"
        )

    def _progress(self, households: int, children: int) -> None:
        self.stdout.write(f"  {households:,} households with {children:,} children written")
