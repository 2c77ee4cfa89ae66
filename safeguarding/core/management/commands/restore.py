"""manage.py restore PATH --database-url URL [--force]

Restores a backup made by `manage.py backup` into the database URL names (not the configured one,
unless you name it): checks the file against its manifest first, refuses a database that already
holds tables unless --force, restores (PostgreSQL: pg_restore in one transaction), then compares
every table's row count with the manifest's and exits non-zero if any differs. A password can be
left out of the URL and given in PGPASSWORD instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core import backup


class Command(BaseCommand):
    help = "Restore a backup into a database and check its row counts (docs/operations.md, 'Backup and restore')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file (its manifest, PATH.json, must be beside it).")
        parser.add_argument(
            "--database-url",
            required=True,
            metavar="URL",
            help="The database to restore into, e.g. postgres://USER@HOST:5432/NAME or sqlite:////path/db.sqlite3.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace what the database holds (it is refused if it has tables)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = backup.restore_backup(options["path"], options["database_url"], force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(exc.message) from exc
        manifest, counts = restored.manifest, restored.counts
        if restored.problems:
            raise CommandError(
                "Restored, but the row counts differ from the backup's manifest:\n  " + "\n  ".join(restored.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {manifest['file']} (made {manifest['created_at']}): {len(counts)} tables, "
                f"{sum(counts.values()):,} rows, every table's count as the manifest says."
            )
        )
        self.stdout.write("Next: manage.py verify_activity_log with DATABASE_URL pointing at the restored database.")
