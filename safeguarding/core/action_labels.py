"""What an activity-log action code says to a person: "alert.evidence_added" is shown as "Evidence added
to the alert", never as the code. Feature apps register their own wording in AppConfig.ready()
(`register_action_labels`); any code without one is turned into plain words ("care_plan.draft_changed"
→ "Care plan: draft changed"), so no page ever shows a raw code."""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "child.viewed": "Viewed the record",
    "child.exported": "Exported the record",
    "child.summary_viewed": "Viewed the summary",
    "child.activity_viewed": "Viewed who has looked at the record",
    "chronology.viewed": "Viewed the chronology",
    "chronology.exported": "Exported the chronology",
    "chronology.entry_viewed": "Viewed a chronology entry",
    "escalation.viewed": "Viewed an escalation",
}


def register_action_labels(labels: dict[str, str]) -> None:
    """Declare how activity-log actions read on a page (sentence case, no trailing full stop)."""
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    """The plain-words label of an activity-log action code."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    noun, _, verb = str(code).partition(".")
    words = noun.replace("_", " ").strip()
    if verb:
        words = f"{words}: {verb.replace('_', ' ').replace('.', ' ').strip()}"
    return words[:1].upper() + words[1:]
