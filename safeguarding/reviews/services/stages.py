"""One entry point for a stage change, for the pages and the API: `move_review` checks the rule, asks
for what the step needs, and calls the step's own service (which checks the version, writes the
history row and logs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError

from safeguarding.core import kernel
from safeguarding.reviews.enums import Action
from safeguarding.reviews.models import Review
from safeguarding.reviews.services.decisions import refer_national_review
from safeguarding.reviews.services.notification import (
    close_at_decision,
    decide_practice_review,
    record_notification_sent,
    send_rapid_review,
)
from safeguarding.reviews.services.practice import (
    close_review,
    finalise_report,
    move_to_draft,
    publish_review,
    share_with_family,
)
from safeguarding.reviews.services.publication import close_without_publication
from safeguarding.reviews.workflow import NOUN, OWN_ENTRY_ACTIONS, WORKFLOW, check

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# What each stage change needs besides the version (the services check the values themselves).
TRANSITION_NEEDS: dict[str, dict[str, str]] = {
    Action.NOTIFICATION_SENT: {"sent_on": "Enter the date the notification was sent to the national panel."},
    Action.RAPID_REVIEW_SENT: {"sent_on": "Enter the date the rapid review was sent to the national panel."},
    Action.PRACTICE_REVIEW_OPENED: {
        "kind": "Choose a local practice review or another learning review.",
        "decided_on": "Enter the date of the decision.",
    },
    Action.CLOSED_AT_DECISION: {
        "decision": "Choose no further review or a national review.",
        "reason": "Give the reasons for the decision.",
    },
    Action.PUBLISHED: {"published_on": "Enter the date of publication."},
    Action.CLOSED_UNPUBLISHED: {"reason": "Say why the review is closing without publication."},
}

# The steps that need nothing but the version (and an optional note for the history).
_PLAIN_STEPS: dict[str, Callable[..., Review]] = {
    Action.DRAFT_RECEIVED: move_to_draft,
    Action.SHARED_WITH_FAMILY: share_with_family,
    Action.FINALISED: finalise_report,
    Action.CLOSED: close_review,
    Action.NATIONAL_REVIEW_REFERRED: refer_national_review,
    Action.CLOSED_UNPUBLISHED: close_without_publication,
}


@kernel.service
def move_review(
    *,
    actor: Person,
    review: Review,
    action: str,
    version: int,
    reason: str = "",
    sent_on: date | None = None,
    kind: str = "",
    decided_on: date | None = None,
    decision: str = "",
    published_on: date | None = None,
    may_come_down_on: date | None = None,
    ofsted_sent_on: date | None = None,
    secretary_of_state_sent_on: date | None = None,
) -> Review:
    """Take one stage transition with what it needs: the one entry point for the pages and the API.

    The rule is checked before the details, so someone who may not take the step is told so (not
    asked for dates); each step's own service then checks the version, writes and logs."""
    if action not in WORKFLOW or action in OWN_ENTRY_ACTIONS:
        # The national panel's response, closing a national review and reopening have their own services.
        raise ValidationError({"action": "Choose one of the review's stage changes."})
    if review.version != version:
        raise kernel.StaleVersion(noun=NOUN)
    check(action, actor, review)
    given = {
        "sent_on": sent_on,
        "kind": kind,
        "decided_on": decided_on,
        "decision": decision,
        "reason": reason.strip(),
        "published_on": published_on,
    }
    errors = {name: message for name, message in TRANSITION_NEEDS.get(action, {}).items() if given[name] in (None, "")}
    if errors:
        raise ValidationError(errors)
    common: dict[str, Any] = {"actor": actor, "review": review, "version": version, "reason": reason}
    if action == Action.NOTIFICATION_SENT:
        return record_notification_sent(
            **common,
            sent_on=cast(date, sent_on),
            ofsted_sent_on=ofsted_sent_on,
            secretary_of_state_sent_on=secretary_of_state_sent_on,
        )
    if action == Action.RAPID_REVIEW_SENT:
        return send_rapid_review(**common, sent_on=cast(date, sent_on))
    if action == Action.PRACTICE_REVIEW_OPENED:
        decide_practice_review(**common, kind=kind, decided_on=cast(date, decided_on))
        return review
    if action == Action.CLOSED_AT_DECISION:
        return close_at_decision(**common, decision=decision)
    if action == Action.PUBLISHED:
        return publish_review(**common, published_on=cast(date, published_on), may_come_down_on=may_come_down_on)
    return _PLAIN_STEPS[action](**common)
