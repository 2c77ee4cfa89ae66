"""manage.py mark_trained USERNAME TEMPLATE --on DATE [--actor USERNAME]

Records that a person is trained for an assessment template (every version of it), as the training
records page does. For operators loading training records in bulk from a script.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.models import User
from safeguarding.assessments import services
from safeguarding.assessments.management.commands._common import actor_from
from safeguarding.assessments.models import AssessmentTemplate
from safeguarding.core.context import use_via
from safeguarding.core.dates import parse_date
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Record that a person is trained for an assessment template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("template", help="The template's code, e.g. neglect-profile.")
        parser.add_argument("--on", required=True, metavar="DATE", help="The training date, e.g. 27/03/2026.")
        parser.add_argument("--actor", metavar="USERNAME", help="The administrator recording it (activity log).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"])
        user = User.objects.filter(username=options["username"], is_active=True, is_system=False).first()
        if user is None:
            raise CommandError(f"No active person has the username {options['username']}.")
        template = AssessmentTemplate.objects.filter(code=options["template"]).order_by("-version").first()
        if template is None:
            known = ", ".join(sorted(set(AssessmentTemplate.objects.values_list("code", flat=True)))) or "none"
            raise CommandError(f"No template has the code {options['template']}. Templates: {known}.")
        try:
            trained_on = parse_date(options["on"])
        except ValidationError as exc:
            raise CommandError(f"--on {options['on']}: {exc.messages[0]}") from exc
        try:
            with use_via(Via.COMMAND):
                services.mark_trained(
                    actor=actor, user=user, template=template, trained_on=trained_on, check_actor=actor is not None
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except services.AssessmentError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{user} is recorded as trained for {template.name} on {trained_on:%d/%m/%Y}.")
        )
