"""manage.py load_assessment_template FILE.yaml|FILE.json [--dry-run] [--actor USERNAME]

Creates or updates one version of an assessment template from a file (docs/assessments.md). A file
with any problem is rejected whole, with every problem listed by line and path. Loading the same file
again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.assessments.loading import load_template
from safeguarding.assessments.management.commands._common import actor_from, write_report
from safeguarding.assessments.template_file import TemplateFileError
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Create or update an assessment template (areas, sub-areas, items, grade scale) from a YAML or JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The template file, e.g. safeguarding/assessments/data/neglect_profile.yaml.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change.")
        parser.add_argument("--actor", metavar="USERNAME", help="The administrator running the load (activity log).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"])
        try:
            with use_via(Via.COMMAND):
                report = load_template(actor=actor, path=options["file"], dry_run=options["dry_run"])
        except TemplateFileError as exc:
            raise CommandError(exc.message) from exc
        write_report(self, report)
