"""`manage.py possible_matches [--json] [--all]`: the pairs of child records waiting for a data
steward (for operators and scripts). With --json, a JSON list of objects with `child_ids` (two ids,
lower first) and `score`, most likely first."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safeguarding.linking.models import PossibleMatch


class Command(BaseCommand):
    help = "List the possible matches between child records that wait for a data steward's decision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print a JSON list (child_ids, score, …).")
        parser.add_argument("--all", action="store_true", help="Include decided pairs too, with their status.")

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = PossibleMatch.objects.all() if options["all"] else PossibleMatch.objects.pending()
        rows: list[dict[str, Any]] = [
            {
                "id": m.pk,
                "child_ids": [m.child_a_id, m.child_b_id],
                "score": round(m.score, 6),
                "status": m.status,
                "model_version": m.model_version,
                "found_by": m.found_by,
                "created_at": m.created_at.isoformat(),
            }
            for m in pairs.order_by("-score", "id")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No possible matches are waiting.")
            return
        for row in rows:
            a, b = row["child_ids"]
            self.stdout.write(f"{row['id']:>6}  children {a} and {b}  score {row['score']:.3f}  {row['status']}")
        self.stdout.write(f"{len(rows)} pair(s).")
