"""Generate a committee report as PDF or DOCX, for operators:

    manage.py committee_report REPORT_ID --format pdf --output report.pdf [--as USERNAME] [--confirm-text]

The text is checked against the live figures first: each contradiction is printed and nothing is
generated, unless --confirm-text says the text was checked and is right.

It freezes the action plan and keeps what was generated, exactly as the page's "Generate" does; the
person it acts as (default: the first active business unit member) must be allowed to generate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import User
from safeguarding.core.access import parse_id
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via
from safeguarding.core.kernel import ServiceError
from safeguarding.publishing.models import CommitteeReport
from safeguarding.publishing.services import FiguresContradicted, generate_now, record_download


class Command(BaseCommand):
    help = "Generate a committee report (freezing the action plan) and write it as PDF or DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report_id")
        parser.add_argument("--format", choices=["pdf", "docx"], default="pdf")
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--as", dest="username", default="", help="Act as this business unit member.")
        parser.add_argument(
            "--confirm-text",
            action="store_true",
            help="Generate even though the text says things the live figures contradict (after checking them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        number = parse_id(options["report_id"])
        report = CommitteeReport.objects.filter(pk=number).first() if number is not None else None
        if report is None:
            raise CommandError(f"No committee report with id {options['report_id']}.")
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
        else:
            actor = (
                User.objects.filter(
                    is_active=True, is_system=False, memberships__role=Role.BUSINESS_UNIT, memberships__is_active=True
                )
                .order_by("pk")
                .first()
            )
        if actor is None:
            raise CommandError("Nobody to act as: pass --as USERNAME of a business unit member.")
        with use_via(Via.COMMAND):
            try:
                generated = generate_now(actor=actor, report=report, confirmed=options["confirm_text"])
            except FiguresContradicted as exc:
                for item in exc.contradictions:
                    self.stderr.write(f'{item.label}: "{item.quote}" {item.says} {item.figures}')
                raise CommandError(exc.message + " (or pass --confirm-text)") from exc
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
            content = bytes(generated.pdf if options["format"] == "pdf" else generated.docx)
            Path(options["output"]).write_bytes(content)
            record_download(actor=actor, generated=generated, file_format=options["format"])
        self.stdout.write(
            f"Wrote {options['output']} ({len(content)} bytes); plan version {generated.plan_version} frozen, "
            f"figures as at {generated.generated_at:%d/%m/%Y %H:%M}."
        )
