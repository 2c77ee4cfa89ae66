"""Re-checks: the lead officer or the business unit records whether a complete action's change held.
"Held" is kept on the action; "did not hold" is an update to at risk (amber) through the update path,
so the action reopens, with a new due date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from safeguarding.actionplans.enums import ActionRag, ActionStatus
from safeguarding.actionplans.models import Action, ActionUpdate
from safeguarding.actionplans.permissions import can_record_recheck, recheck_blocker
from safeguarding.actionplans.services.actions import locked_action, sync
from safeguarding.actionplans.services.common import RECHECK_FIELDS, required_text, today_of
from safeguarding.actionplans.services.evidence import files_problem, store_evidence
from safeguarding.actionplans.services.updates import apply_update, date_problem, update_rule_errors
from safeguarding.core import kernel
from safeguarding.core.services import diff, record_activity, snapshot
from safeguarding.reviews.services import MAX_DOCUMENT_BYTES, Upload

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _new_dates_errors(locked: Action, *, due_on: date | None, recheck_on: date | None, today: date) -> dict[str, str]:
    """A change that did not hold reopens the action: its new due date, and the next re-check after it."""
    errors: dict[str, str] = {}
    if due_on is None:
        errors["due_on"] = "Enter the new due date: the change did not hold, so the action reopens."
    elif due_on <= today:
        errors["due_on"] = "The new due date must be in the future."
    elif due_on < locked.start_on:
        errors["due_on"] = f"The new due date must be on or after the start date ({locked.start_on:%d/%m/%Y})."
    if recheck_on is not None and due_on is not None and recheck_on <= due_on:
        errors["recheck_on"] = "The date to check the change held again must be after the new due date."
    return errors


def _recheck_errors(
    locked: Action,
    *,
    rechecked_on: date | None,
    held: bool | None,
    status: str,
    rag: str,
    due_on: date | None,
    recheck_on: date | None,
    evidence_files: Sequence[Upload],
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if held is None:
        errors["held"] = "Say whether the change held."
    problem = files_problem(evidence_files, MAX_DOCUMENT_BYTES)
    if problem:
        errors["evidence"] = problem
    # The update's own rules (status, RAG, evidence); its date rule is said here in the re-check's words.
    rules = update_rule_errors(
        locked, written_on=today, status=status, rag=rag, has_new_evidence=bool(evidence_files), today=today
    )
    rules.pop("written_on", None)
    errors.update(rules)
    problem = date_problem(locked, rechecked_on, today, "re-check")
    if problem:
        errors["rechecked_on"] = problem
    if held is False:
        errors.update(_new_dates_errors(locked, due_on=due_on, recheck_on=recheck_on, today=today))
    return errors


def _check_may_recheck(actor: Person, locked: Action, version: int) -> None:
    """Who may record it is said before whether their read is stale (the same order as the pages),
    then whether the action may be re-checked now."""
    kernel.require(
        can_record_recheck(actor, locked),
        "Only the action's lead officer or the business unit can record the re-check.",
    )
    if locked.version != version:
        raise kernel.StaleVersion(noun="action")
    reason = recheck_blocker(actor, locked)
    if reason is not None:
        raise kernel.NotAllowed(reason)


@kernel.service
def record_recheck(
    *,
    actor: Person,
    action: Action,
    version: int,
    rechecked_on: date | None,
    held: bool | None,
    narrative: str,
    evidence_files: Sequence[Upload] = (),
    due_on: date | None = None,
    recheck_on: date | None = None,
    at: datetime | None = None,
) -> ActionUpdate:
    """Record the re-check of a complete action (signed off or not): did the change hold? By the
    action's lead officer or the business unit; `version` is the one the person read (StaleVersion).

    Held: the action stays complete and keeps `rechecked_on` and `recheck_held`. Did not hold: an update
    to at risk (amber) through the update path reopens it (sign-off cleared, the review recommendation
    taken back), with a new `due_on` (required, in the future) and a new `recheck_on` (optional, after
    the new due date; left blank, the date is cleared for the business unit to agree later). Either
    way the re-check is an update marked as one, with its narrative and evidence files.
    """
    locked = locked_action(action)
    _check_may_recheck(actor, locked, version)
    today = today_of(at)
    status = locked.status if held is not False else ActionStatus.AT_RISK
    rag = ActionRag.BLUE if held is not False else ActionRag.AMBER
    errors: dict[str, str] = {}
    narrative = required_text(errors, "narrative", narrative, "Describe what the re-check found.")
    errors.update(
        _recheck_errors(
            locked,
            rechecked_on=rechecked_on,
            held=held,
            status=status,
            rag=rag,
            due_on=due_on,
            recheck_on=recheck_on,
            evidence_files=evidence_files,
            today=today,
        )
    )
    if errors or rechecked_on is None or held is None:  # (the last two are among the errors)
        raise ValidationError(errors)
    documents = store_evidence(actor, evidence_files, at)
    before = snapshot(locked, RECHECK_FIELDS)
    also: dict[str, Any] = {"rechecked_on": rechecked_on, "recheck_held": held}
    if not held:
        also.update(due_on=due_on, recheck_on=recheck_on)
    update = apply_update(
        actor,
        locked,
        written_on=rechecked_on,
        narrative=narrative,
        status=status,
        rag=rag,
        documents=documents,
        now=kernel.now(at),
        recheck_held=held,
        also=also,
        transition="recheck",
    )
    changes = diff(before, snapshot(locked, RECHECK_FIELDS))
    record_activity(
        actor=actor,
        action="actionplan.recheck_recorded",
        target=locked,
        changes={**changes, "evidence": [None, len(documents)]} if documents else changes,
    )
    sync(action, locked)
    return update
