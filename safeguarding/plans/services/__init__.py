"""State changes of care plans: one `verb_noun(*, actor, …)` per action, each a `kernel.service` (one
transaction, the activity log written), checking the access rule and the plan's `version`, writing
the activity log (one row per child, so each child's record shows it) and, for the plan's milestones,
the child's chronology. Pages, the API, commands and tasks all call these.

- `drafting`: creating a plan, its draft's content, objectives and people;
- `agreement`: agreeing a draft, amending an agreed plan, ending it (status moves only through
  `permissions.PLAN_WORKFLOW`);
- `monitoring`: progress, review meetings with scaling scores, the overdue check, citations;
- `common`: the inputs and what they share.

Chronology: `plan_started` when the plan is created, `plan_agreed` at every agreement, `plan_reviewed`
at every review meeting, `plan_ended` when it ends (category: the plan type), and
`plan_objective_overdue` when the overdue check flags an objective. Summaries hold no plan content.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from safeguarding.plans.models import AgreedVersionLocked, PlanError
from safeguarding.plans.queries import overdue_objectives
from safeguarding.plans.services.agreement import agree_version, amend_plan, end_plan
from safeguarding.plans.services.common import (
    EDIT_MESSAGE,
    STALE_MESSAGE,
    NotAllowed,
    ObjectiveInput,
    OverdueResult,
    PersonInput,
    ScoreInput,
    StaleVersion,
    record_plan_view,
)
from safeguarding.plans.services.drafting import (
    MASKED_CONTENT,
    MASKED_OBJECTIVE,
    OBJECTIVE_LOG_FIELDS,
    add_objective,
    add_participant,
    change_objective,
    create_plan,
    remove_objective,
    remove_participant,
    update_draft,
)
from safeguarding.plans.services.monitoring import (
    cite_objective,
    flag_overdue_objective,
    flag_overdue_objectives,
    record_objective_update,
    record_review,
)

__all__ = [
    "EDIT_MESSAGE",
    "MASKED_CONTENT",
    "MASKED_OBJECTIVE",
    "OBJECTIVE_LOG_FIELDS",
    "STALE_MESSAGE",
    "AgreedVersionLocked",
    "NotAllowed",
    "ObjectiveInput",
    "OverdueResult",
    "PersonInput",
    "PlanError",
    "ScoreInput",
    "StaleVersion",
    "add_objective",
    "add_participant",
    "agree_version",
    "amend_plan",
    "change_objective",
    "cite_objective",
    "create_plan",
    "end_plan",
    "flag_overdue_objective",
    "flag_overdue_objectives",
    "overdue_objectives",
    "record_objective_update",
    "record_plan_view",
    "record_review",
    "remove_objective",
    "remove_participant",
    "update_draft",
]
