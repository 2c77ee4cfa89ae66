"""The plan as JSON (what an `ActionPlanVersion` keeps) and the differences between a version and the plan as
it stands now. What the committee accepted is kept as accepted; later changes show against it.

The snapshot holds display values (agency and officer names, recommendation references), so a
version reads the same years later whatever has been renamed since, and ids so actions can be
matched to the current plan. Keys added later (`rechecked_on`, `recheck_held`) are missing from
older snapshots and read as None ("not recorded"), so older versions compare without a false change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safeguarding.actionplans.enums import ActionRag, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import Action, ActionPlan, ActionPlanVersion

SNAPSHOT_FORMAT = 1

# The fields of an action compared between versions, with the labels the pages show.
COMPARED_FIELDS: dict[str, str] = {
    "recommendation": "Recommendation",
    "description": "What will be done",
    "lead_agency": "Lead agency",
    "lead_officer": "Lead officer",
    "start_on": "Start date",
    "due_on": "Due date",
    "success_measure": "Success measure",
    "status": "Status",
    "rag": "RAG",
    "completed_on": "Completed on",
    "signed_off": "Completion signed off",
    "recheck_on": "Check the change held on",
    "rechecked_on": "Re-checked on",
    "recheck_held": "Change held at the re-check",
}


def action_snapshot(action: Action) -> dict[str, Any]:
    rec = action.recommendation
    return {
        "id": action.pk,
        "number": action.number,
        "reference": action.reference,
        "recommendation": (
            {"id": rec.pk, "uid": str(rec.uid), "number": rec.number, "reference": rec.reference, "text": rec.text}
            if rec is not None
            else None
        ),
        "description": action.description,
        "lead_agency": {"id": action.lead_agency_id, "code": action.lead_agency.code, "name": action.lead_agency.name},
        "lead_officer": {"id": action.lead_officer_id, "name": str(action.lead_officer)},
        "start_on": action.start_on.isoformat(),
        "due_on": action.due_on.isoformat(),
        "success_measure": action.success_measure,
        "status": action.status,
        "rag": action.rag,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
        "signed_off": action.signed_off_at is not None,
        "recheck_on": action.recheck_on.isoformat() if action.recheck_on else None,
        "rechecked_on": action.rechecked_on.isoformat() if action.rechecked_on else None,
        "recheck_held": action.recheck_held,
    }


def plan_snapshot(plan: ActionPlan) -> dict[str, Any]:
    actions = plan.actions.select_related("recommendation", "recommendation__review", "lead_agency", "lead_officer")
    return {
        "format": SNAPSHOT_FORMAT,
        "plan": {
            "id": plan.pk,
            "reference": plan.reference,
            "title": plan.title,
            "source": plan.source,
            "source_reference": plan.source_reference,
            "review": {"id": plan.review_id, "reference": plan.review.reference, "title": plan.review.title}
            if plan.review is not None
            else None,
            "owner_group": plan.owner_group,
            "chair": str(plan.chair),
        },
        "actions": [action_snapshot(a) for a in actions.order_by("number")],
    }


def _display(name: str, value: Any) -> str:
    """A snapshot value as the pages show it."""
    if name == "recheck_held":
        return {True: "Yes", False: "No (reopened)"}.get(value, "Not recorded")
    if value is None or value == "":
        return "None"
    if name == "recommendation":
        return str(value["reference"])
    if name in ("lead_agency", "lead_officer"):
        return str(value["name"])
    if name == "status":
        return str(ActionStatus(value).label) if value in ActionStatus.values else str(value)
    if name == "rag":
        return str(ActionRag(value).label) if value in ActionRag.values else str(value)
    if name == "signed_off":
        return "Yes" if value else "No"
    if name in ("start_on", "due_on", "completed_on", "recheck_on", "rechecked_on"):
        y, m, d = str(value).split("-")
        return f"{d}/{m}/{y}"
    return str(value)


def _comparable(name: str, value: Any) -> Any:
    """Compare references by id, not by their names (a renamed agency is not a change to the action)."""
    if isinstance(value, dict):
        return value.get("id")
    return value


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ActionChange:
    kind: str  # "added", "removed" or "changed"
    action_id: int
    reference: str
    description: str
    fields: list[FieldChange] = field(default_factory=list)


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[ActionChange]:
    old = {row["id"]: row for row in before}
    new = {row["id"]: row for row in after}
    changes: list[ActionChange] = []
    for row in after:
        previous = old.get(row["id"])
        if previous is None:
            changes.append(ActionChange("added", row["id"], row["reference"], row["description"]))
            continue
        fields = [
            FieldChange(name, label, _display(name, previous.get(name)), _display(name, row.get(name)))
            for name, label in COMPARED_FIELDS.items()
            if _comparable(name, previous.get(name)) != _comparable(name, row.get(name))
        ]
        if fields:
            changes.append(ActionChange("changed", row["id"], row["reference"], row["description"], fields))
    for row in before:
        if row["id"] not in new:
            changes.append(ActionChange("removed", row["id"], row["reference"], row["description"]))
    return changes


def changes_since(plan: ActionPlan, version: ActionPlanVersion) -> list[ActionChange]:
    """Per action, what differs between `version` (as frozen) and the plan now: actions added since,
    removed since, and changed fields with their value then and now."""
    if version.plan_id != plan.pk:
        raise ValueError("That version belongs to another plan.")
    return compare(version.snapshot.get("actions", []), plan_snapshot(plan)["actions"])


def accepted_version(plan: ActionPlan) -> ActionPlanVersion | None:
    """The latest version a committee accepted (None if no committee has accepted one yet)."""
    return plan.versions.filter(decisions__outcome=CommitteeOutcome.ACCEPTED).order_by("-number").distinct().first()
