"""manage.py load_assessment_descriptors TEMPLATE FILE [--template-version N] [--dry-run] [--actor USERNAME]

Loads a partnership's licensed descriptor wording for a template (docs/assessments.md). The file's
descriptors replace the template version's, all or nothing; only people trained for the template see them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.assessments.loading import load_descriptors
from safeguarding.assessments.management.commands._common import actor_from, write_report
from safeguarding.assessments.template_file import TemplateFileError
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Load licensed descriptor text for an assessment template (for partnerships that hold the licence)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("template", help="The template's code, e.g. neglect-profile.")
        parser.add_argument("file", help="The descriptor file (YAML or JSON).")
        parser.add_argument(
            "--template-version",
            type=int,
            dest="template_version",
            help="The template version (default: the file's, else the latest).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change.")
        parser.add_argument("--actor", metavar="USERNAME", help="The administrator running the load (activity log).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"])
        try:
            with use_via(Via.COMMAND):
                report = load_descriptors(
                    actor=actor,
                    template_code=options["template"],
                    path=options["file"],
                    version=options["template_version"],
                    dry_run=options["dry_run"],
                )
        except TemplateFileError as exc:
            raise CommandError(exc.message) from exc
        write_report(self, report)
