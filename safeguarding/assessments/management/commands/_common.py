"""What the assessments' management commands share: the `--actor`, and how a load report is written."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safeguarding.agencies.models import User


def actor_from(username: str | None) -> User | None:
    if not username:
        return None
    actor = User.objects.filter(username=username, is_active=True, is_system=False).first()
    if actor is None:
        raise CommandError(f"No active person has the username {username}. Check --actor.")
    return actor


def write_report(command: BaseCommand, report: Any) -> None:
    if report.dry_run:
        command.stdout.write("Dry run: nothing was saved.")
    for line in report.changes:
        command.stdout.write(f"  {line}")
    style = command.style.SUCCESS if report.has_changes and not report.dry_run else command.style.NOTICE
    command.stdout.write(style(report.summary()))
