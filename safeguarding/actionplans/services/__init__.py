"""State changes of action plans: one `kernel.service` per change (keyword-only `actor`, one
transaction, the activity log), checking the rule (`permissions`) and writing with a version check
(`kernel.lock`, `kernel.update_versioned`) where several people edit. Pages, the API, commands, tasks,
demo data and committee reports (publishing) call these, through this package:

- `plans`: create and change a plan, freeze a version, record a committee's decision;
- `actions`: add and change actions (and keep a review recommendation's status with them);
- `updates`: progress updates (the one path for status and RAG) and sign-off;
- `rechecks`: whether a complete action's change held;
- `evidence`, `common`: what they share.

An action's status moves only through `workflow.ACTION_WORKFLOW` (update, recheck, sign_off).

Status rules (docs/actionplans.md):
- An action's status and RAG change only through an update; each update sets both.
- RAG follows the status: blue exactly when complete (either complete status); on track is green,
  at risk amber, off track red; not started may be green, amber or red.
- "Complete with evidence of impact" needs evidence: at least one file attached to this update or an
  earlier update of the action.
- Moving into a complete status sets `completed_on` to the update's date; moving out of one
  (reopening) clears `completed_on` and any sign-off, and is logged as `actionplan.action_reopened`.
- Updates are dated today or earlier, and no earlier than the action's latest update.
- Sign-off: by the plan's chair or deputy chair, of a complete action, never by its own lead officer.
- Re-check (`record_recheck`): the lead officer or the business unit records whether a complete
  action's change held, as an update marked as a re-check. "Held" is kept on the action
  (`rechecked_on`, `recheck_held`); "did not hold" is an update to at risk (amber), so the action
  reopens by the rules above, and it takes a new due date. Reopening an action any other way clears a
  held re-check too, so the change is checked again once it is complete.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from safeguarding.actionplans.notices import flag_overdue_actions, flag_rechecks_due
from safeguarding.actionplans.progress import plan_progress, progress_of, recommendation_progress
from safeguarding.actionplans.services import evidence
from safeguarding.actionplans.services.actions import add_action, edit_action
from safeguarding.actionplans.services.common import ACTION_FIELDS, PLAN_FIELDS
from safeguarding.actionplans.services.evidence import MAX_EVIDENCE_FILES
from safeguarding.actionplans.services.plans import create_plan, edit_plan, freeze_version, record_committee_decision
from safeguarding.actionplans.services.rechecks import record_recheck
from safeguarding.actionplans.services.updates import RAG_FOR_STATUS, add_update, sign_off, update_rule_errors
from safeguarding.actionplans.versions import accepted_version, changes_since
from safeguarding.reviews.services import MAX_DOCUMENT_BYTES, Upload

__all__ = [
    "ACTION_FIELDS",
    "MAX_DOCUMENT_BYTES",
    "MAX_EVIDENCE_FILES",
    "PLAN_FIELDS",
    "RAG_FOR_STATUS",
    "Upload",
    "accepted_version",
    "add_action",
    "add_update",
    "changes_since",
    "create_plan",
    "edit_action",
    "edit_plan",
    "evidence_files_problem",
    "flag_overdue_actions",
    "flag_rechecks_due",
    "freeze_version",
    "plan_progress",
    "progress_of",
    "recommendation_progress",
    "record_committee_decision",
    "record_recheck",
    "sign_off",
    "update_rule_errors",
]


def evidence_files_problem(files: Sequence[Any]) -> str | None:
    """What is wrong with uploaded evidence files (how many, how large), before any is read."""
    return evidence.files_problem(files, MAX_DOCUMENT_BYTES)
