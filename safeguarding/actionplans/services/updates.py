"""Updates and sign-off: a dated progress note sets the action's status and RAG (the one path by which
they change, with completion, reopening and the log), and the plan's chair signs off completion.

Every update is made from the version of the action the person read (`kernel.lock`): two people
updating the same action from the same version, the second is refused (StaleVersion) instead of
overwriting the first's status and RAG."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Max

from safeguarding.actionplans.enums import COMPLETE_STATUSES, ActionRag, ActionStatus
from safeguarding.actionplans.models import Action, ActionUpdate
from safeguarding.actionplans.permissions import can_update_action, sign_off_blocker
from safeguarding.actionplans.services.actions import follow, locked_action, sync
from safeguarding.actionplans.services.common import STATE_FIELDS, required_text, today_of
from safeguarding.actionplans.services.evidence import store_evidence
from safeguarding.actionplans.workflow import ACTION_WORKFLOW
from safeguarding.core import kernel
from safeguarding.core.services import diff, record_activity, snapshot
from safeguarding.reviews.models import Document
from safeguarding.reviews.services import Upload

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# The RAG an update may give with each status (see the package docstring).
RAG_FOR_STATUS: dict[str, frozenset[str]] = {
    ActionStatus.NOT_STARTED: frozenset({ActionRag.GREEN, ActionRag.AMBER, ActionRag.RED}),
    ActionStatus.ON_TRACK: frozenset({ActionRag.GREEN}),
    ActionStatus.AT_RISK: frozenset({ActionRag.AMBER}),
    ActionStatus.OFF_TRACK: frozenset({ActionRag.RED}),
    ActionStatus.COMPLETE: frozenset({ActionRag.BLUE}),
    ActionStatus.COMPLETE_WITH_IMPACT: frozenset({ActionRag.BLUE}),
}


def _rag_problem(status: str, rag: str) -> tuple[str, str] | None:
    if status not in ActionStatus.values:
        return "status", "Choose the action's status."
    if rag not in ActionRag.values:
        return "rag", "Choose the RAG rating."
    if rag in RAG_FOR_STATUS[status]:
        return None
    if rag == ActionRag.BLUE:
        return "rag", "Blue is only for a complete action. Choose red, amber or green, or set a complete status."
    if status in COMPLETE_STATUSES:
        return "rag", "A complete action is rated blue."
    allowed = " or ".join(ActionRag(r).label.lower() for r in ActionRag if r in RAG_FOR_STATUS[status])
    return "rag", f"An action that is {ActionStatus(status).label.lower()} is rated {allowed}."


def update_rule_errors(
    action: Action, *, written_on: date | None, status: str, rag: str, has_new_evidence: bool, today: date
) -> dict[str, str]:
    """What is wrong with an update (empty when it may be added): the status rules of the package."""
    errors: dict[str, str] = {}
    problem = _rag_problem(status, rag)
    if problem is not None:
        errors[problem[0]] = problem[1]
    if status == ActionStatus.COMPLETE_WITH_IMPACT and not has_new_evidence:
        has_old = ActionUpdate.objects.filter(action=action, evidence__isnull=False).exists()
        if not has_old:
            errors["evidence"] = "Attach the evidence of impact (for example an audit or survey result) to complete it."
    day_problem = date_problem(action, written_on, today, "update")
    if day_problem:
        errors["written_on"] = day_problem
    return errors


def date_problem(action: Action, day: date | None, today: date, what: str) -> str | None:
    """An update's date (a re-check is one): given, today or earlier, and not before the latest update."""
    if day is None:
        return f"Enter the date of the {what}."
    if day > today:
        return f"The date of the {what} must be today or in the past."
    latest = action.updates.aggregate(d=Max("written_on"))["d"]
    if latest is not None and day < latest:
        return f"The date of the {what} must be on or after the action's latest update ({latest:%d/%m/%Y})."
    return None


def _move_state(locked: Action, *, status: str, rag: str, written_on: date) -> dict[str, Any]:
    """The action's state after an update to `status` and `rag`: completion dated, or (reopening) the
    completion, sign-off and a held re-check cleared."""
    was_complete = locked.is_complete
    state: dict[str, Any] = {"status": status, "rag": rag}
    now_complete = status in COMPLETE_STATUSES
    if now_complete and not was_complete:
        state["completed_on"] = written_on
    if was_complete and not now_complete:
        state.update(completed_on=None, signed_off_by=None, signed_off_at=None)
        if locked.recheck_held is True:  # the change held, and has slipped since: check it again
            state.update(rechecked_on=None, recheck_held=None)
    return state


def apply_update(
    actor: Person,
    locked: Action,
    *,
    written_on: date,
    narrative: str,
    status: str,
    rag: str,
    documents: Sequence[Document],
    now: datetime,
    recheck_held: bool | None = None,
    also: dict[str, Any] | None = None,
    transition: str = "update",
) -> ActionUpdate:
    """Write a checked update and move the action's state with it (the one update path: completion,
    reopening with sign-off and a held re-check cleared, the log, the recommendation following).
    `locked` comes from `locked_action`, in the calling service's transaction; the status moves by
    `transition` of `ACTION_WORKFLOW`. `also`: further fields of the action set in the same save (a
    re-check's result and dates)."""
    update = ActionUpdate.objects.create(
        action=locked,
        written_on=written_on,
        narrative=narrative,
        status=status,
        rag=rag,
        recheck_held=recheck_held,
        author=actor,
        created_at=now,
    )
    update.evidence.set(documents)
    before = snapshot(locked, STATE_FIELDS)
    was_complete = locked.is_complete
    state = {**_move_state(locked, status=status, rag=rag, written_on=written_on), **(also or {})}
    after = copy.copy(locked)
    for name, value in state.items():
        setattr(after, name, value)
    changes = diff(before, snapshot(after, STATE_FIELDS))
    fields = {name: value for name, value in state.items() if name != "status"}
    ACTION_WORKFLOW.apply(
        locked,
        action=transition,
        actor=actor,
        version=locked.version,
        target=status,
        fields={**fields, "updated_at": now},
        log_action="actionplan.update_added",
        log_changes={**changes, "evidence": [None, len(documents)]} if documents else changes,
    )
    if was_complete and not locked.is_complete:
        record_activity(actor=actor, action="actionplan.action_reopened", target=locked, changes=changes)
        follow(actor, locked.recommendation)
    return update


@kernel.service
def add_update(
    *,
    actor: Person,
    action: Action,
    written_on: date,
    narrative: str,
    status: str,
    rag: str,
    evidence_files: Sequence[Upload] = (),
    version: int | None = None,
    at: datetime | None = None,
) -> ActionUpdate:
    """A dated progress note that sets the action's status and RAG, with evidence files. The lead
    officer (their own actions only), the business unit, or the lead agency's system. `version` is the
    action's version as the person read it: if someone changed the action since, nothing is saved
    (StaleVersion), so a second update never silently overwrites the first's status and RAG."""
    locked = locked_action(action, version)
    kernel.require(
        can_update_action(actor, locked),
        "Only the action's lead officer or the business unit can add an update to this action.",
    )
    errors: dict[str, str] = {}
    narrative = required_text(errors, "narrative", narrative, "Describe the progress since the last update.")
    errors.update(
        update_rule_errors(
            locked,
            written_on=written_on,
            status=status,
            rag=rag,
            has_new_evidence=bool(evidence_files),
            today=today_of(at),
        )
    )
    if errors:
        raise ValidationError(errors)
    documents = store_evidence(actor, evidence_files, at)
    update = apply_update(
        actor,
        locked,
        written_on=written_on,
        narrative=narrative,
        status=status,
        rag=rag,
        documents=documents,
        now=kernel.now(at),
    )
    sync(action, locked)
    return update


@kernel.service
def sign_off(*, actor: Person, action: Action, at: datetime | None = None) -> Action:
    """The plan's chair (or deputy chair) signs off a complete action; never its own lead officer
    (the rule, `permissions.sign_off_blocker`, says why not)."""
    locked = locked_action(action)
    reason = sign_off_blocker(actor, locked)
    if reason is not None:
        raise kernel.NotAllowed(reason)
    now = kernel.now(at)
    ACTION_WORKFLOW.apply(
        locked,
        action="sign_off",
        actor=actor,
        version=locked.version,
        fields={"signed_off_by": actor, "signed_off_at": now, "updated_at": now},
        log_action="actionplan.action_signed_off",
        log_changes={"signed_off": [False, True]},
    )
    follow(actor, locked.recommendation)
    return sync(action, locked)
