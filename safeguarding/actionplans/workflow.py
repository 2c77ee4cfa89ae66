"""An action's status as a table of transitions plus guards (`kernel.Workflow`): the one way an
action's status moves. The guards are the `permissions` predicates.

- `update`: a progress update sets any status (with the RAG its rules allow, `services.updates`), by
  the lead officer, the business unit or the lead agency's system.
- `recheck`: the re-check of a complete action keeps it complete (the change held) or reopens it as
  at risk (it did not hold), by the lead officer or the business unit.
- `sign_off`: the plan's chair (or deputy chair) signs off a complete action; the status stays.
"""

from __future__ import annotations

from safeguarding.actionplans.enums import COMPLETE_STATUSES, ActionStatus
from safeguarding.actionplans.permissions import can_record_recheck, can_sign_off, can_update_action
from safeguarding.core import kernel

EVERY_STATUS = frozenset(ActionStatus.values)

ACTION_WORKFLOW = kernel.Workflow(
    name="actionplan",
    noun="action",
    transitions=[
        kernel.Transition(
            "update",
            "Add an update",
            EVERY_STATUS,
            None,  # the status the update gives
            "Only the action's lead officer or the business unit can add an update to this action.",
            who=can_update_action,
        ),
        kernel.Transition(
            "recheck",
            "Record the re-check",
            frozenset(COMPLETE_STATUSES),
            None,  # stays complete, or at risk when the change did not hold
            "Only the action's lead officer or the business unit can record the re-check.",
            who=can_record_recheck,
        ),
        kernel.Transition(
            "sign_off",
            "Sign off completion",
            frozenset(COMPLETE_STATUSES),
            None,
            "Only a complete action can be signed off, by the plan's chair or deputy chair.",
            who=can_sign_off,
        ),
    ],
)
