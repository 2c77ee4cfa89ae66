"""manage.py backup [--output PATH] [--json]

Backs the configured database up (PostgreSQL: pg_dump's custom format; SQLite: the online backup
API, safe while the application runs) into PATH, or into BACKUP_DIR with a timestamped name, and
writes a manifest beside it (PATH.json: engine, database, when, every table's row count, the
activity log's count and latest chain hash, the file's SHA-256). Logged as `backup.created`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core import backup
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Back the database up into one file with a manifest beside it (docs/operations.md, 'Backup and restore')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", metavar="PATH", type=Path, help="The backup file to write (default: BACKUP_DIR, timestamped)."
        )
        parser.add_argument("--json", action="store_true", help="Print the manifest as JSON instead of a summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.create_backup(options["output"])
        except backup.BackupError as exc:
            raise CommandError(exc.message) from exc
        with use_via(Via.COMMAND):
            backup.record_backup(actor=None, manifest=manifest)
        if options["json"]:
            self.stdout.write(json.dumps(manifest, indent=2, sort_keys=True))
            return
        head = manifest["activity_log"]
        chain = f", latest chain hash {head['latest_hash'][:16]}…" if head["latest_hash"] else ""
        self.stdout.write(self.style.SUCCESS(f"Backup written: {manifest['path']}"))
        self.stdout.write(
            f"  {manifest['engine']}, {manifest['size_bytes']:,} bytes, SHA-256 {manifest['sha256']}\n"
            f"  {len(manifest['tables'])} tables, {manifest['total_rows']:,} rows; "
            f"activity log {head['count']:,} rows{chain}\n"
            f"  Manifest: {backup.manifest_path(Path(manifest['path']))}"
        )
