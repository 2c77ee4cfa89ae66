"""State changes of learning briefings (`kernel.service`s, as in `services.py`): write from a
review's findings, change with a version check, publish to practitioners. The text names children by
the review's pseudonyms only (checked on every save and again at publication)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.learning import exports
from safeguarding.learning.anonymise import name_rules, scrub
from safeguarding.learning.checks import no_real_names
from safeguarding.learning.models import BRIEFING_SECTION_MAX, BRIEFING_TITLE_MAX, LearningBriefing
from safeguarding.learning.permissions import BRIEFING_WORKFLOW, can_manage_learning
from safeguarding.reviews.models import Finding, Review

if TYPE_CHECKING:
    from safeguarding.core.types import Person

BRIEFING_FIELDS = ("title", *LearningBriefing.SECTIONS, "status")


def _validate_briefing(review: Review, values: Mapping[str, Any], findings: Sequence[Finding]) -> None:
    errors: dict[str, str] = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = "Enter the briefing's title."
    elif len(title) > BRIEFING_TITLE_MAX:
        errors["title"] = f"Keep the title to {BRIEFING_TITLE_MAX} characters."
    labels = {
        "what_happened": "what happened",
        "what_we_learned": "what we learned",
        "do_differently": "what to do differently",
        "supervision_questions": "the questions for supervision",
    }
    for name, label in labels.items():
        text = (values.get(name) or "").strip()
        if not text:
            errors[name] = f"Enter {label}."
        elif len(text) > BRIEFING_SECTION_MAX:
            errors[name] = f"Keep {label} to {BRIEFING_SECTION_MAX} characters, so the briefing fits on one page."
    if any(f.review_id != review.pk for f in findings):
        errors["findings"] = "Choose findings of this review only."
    no_real_names(errors, review, {k: values.get(k) or "" for k in ("title", *LearningBriefing.SECTIONS)})
    if errors:
        raise ValidationError(errors)
    draft = SimpleNamespace(review=review, published_at=None, **{k: values.get(k) or "" for k in values})
    if exports.pages_needed(draft) > 1:
        raise ValidationError(
            "The briefing does not fit on one page. Shorten it: fewer lines in the questions for supervision, "
            "or shorter sections."
        )


def briefing_prefill(review: Review) -> dict[str, str]:
    """A briefing's starting text from the review's findings, with the children's real names scrubbed."""
    rules = name_rules(review)
    findings = list(review.findings.order_by("number"))
    learned = "\n".join(f"• {f.title}" for f in findings)
    return {
        "title": scrub(f"Learning briefing: {review.title}", rules)[:BRIEFING_TITLE_MAX],
        "what_we_learned": scrub(learned, rules)[:BRIEFING_SECTION_MAX],
    }


@kernel.service
def create_briefing(
    *, actor: Person, review: Review, findings: Sequence[Finding] = (), at: datetime | None = None, **sections: str
) -> LearningBriefing:
    kernel.require(can_manage_learning(actor), "Only the business unit can write learning briefings.")
    values = {k: (sections.get(k) or "").strip() for k in ("title", *LearningBriefing.SECTIONS)}
    _validate_briefing(review, values, findings)
    briefing = LearningBriefing.objects.create(review=review, created_by=actor, created_at=kernel.now(at), **values)
    briefing.findings.set(findings)
    record_activity(
        actor=actor,
        action="learning.briefing_created",
        target=briefing,
        changes=created_diff(briefing, BRIEFING_FIELDS),
    )
    return briefing


@kernel.service
def update_briefing(
    *,
    actor: Person,
    briefing: LearningBriefing,
    version: int,
    findings: Sequence[Finding] | None = None,
    **sections: str,
) -> LearningBriefing:
    kernel.require(can_manage_learning(actor), "Only the business unit can change learning briefings.")
    locked = kernel.lock(LearningBriefing, briefing.pk, version=version, noun="briefing")
    before = snapshot(locked, BRIEFING_FIELDS)
    values = {k: getattr(locked, k) for k in ("title", *LearningBriefing.SECTIONS)}
    values.update({k: (v or "").strip() for k, v in sections.items() if k in values})
    _validate_briefing(locked.review, values, findings if findings is not None else list(locked.findings.all()))
    kernel.update_versioned(locked, version=version, changes=values, noun="briefing")
    if findings is not None:
        locked.findings.set(findings)
    record_activity(
        actor=actor,
        action="learning.briefing_changed",
        target=locked,
        changes=diff(before, snapshot(locked, BRIEFING_FIELDS)),
    )
    return locked


@kernel.service
def publish_briefing(
    *, actor: Person, briefing: LearningBriefing, version: int, at: datetime | None = None
) -> LearningBriefing:
    """Publish to practitioners (`permissions.BRIEFING_WORKFLOW`): every signed-in person in the
    partnership can then read it."""
    kernel.require(can_manage_learning(actor), "Only the business unit can publish learning briefings.")
    locked = kernel.lock(LearningBriefing, briefing.pk, version=version, noun="briefing")
    kernel.require(
        locked.status in BRIEFING_WORKFLOW["publish"].sources,
        BRIEFING_WORKFLOW["publish"].not_allowed,
        error=kernel.ServiceError,
    )
    # Check again at publication: a child's name may have been added to the review since it was written.
    _validate_briefing(
        locked.review, snapshot(locked, (*LearningBriefing.SECTIONS, "title")), list(locked.findings.all())
    )
    BRIEFING_WORKFLOW.apply(
        locked,
        action="publish",
        actor=actor,
        version=version,
        fields={"published_at": kernel.now(at), "published_by": actor},
        log_action="learning.briefing_published",
    )
    return locked
