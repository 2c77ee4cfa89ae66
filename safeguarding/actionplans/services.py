"""State changes of action plans: one function per change, each taking the acting person first, in a
transaction, checking the rule (`permissions`), writing with a version check where several people
edit, and writing the activity log. Pages, the API, commands, tasks, demo data and committee reports
(publishing) call these.

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
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding.actionplans.enums import COMPLETE_STATUSES, ActionStatus, CommitteeOutcome, Rag, Source
from safeguarding.actionplans.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    CommitteeDecision,
    PlanVersion,
)
from safeguarding.actionplans.notices import flag_overdue_actions, flag_rechecks_due
from safeguarding.actionplans.permissions import (
    STALE_MESSAGE,
    NotAllowed,
    StaleVersion,
    can_manage_plan,
    can_record_recheck,
    can_update_action,
    recheck_blocker,
    sign_off_blocker,
)
from safeguarding.actionplans.progress import plan_progress, progress_of, recommendation_progress
from safeguarding.actionplans.versions import accepted_version, changes_since, plan_snapshot
from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.core.access import is_active_person
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.reviews.enums import RecommendationStatus
from safeguarding.reviews.models import Document, Review, ReviewRecommendation
from safeguarding.reviews.services import MAX_DOCUMENT_BYTES, Upload, follow_actions, store_document

__all__ = [
    "RAG_FOR_STATUS",
    "Upload",
    "accepted_version",
    "add_action",
    "add_update",
    "changes_since",
    "create_plan",
    "edit_action",
    "edit_plan",
    "flag_overdue_actions",
    "flag_rechecks_due",
    "freeze_version",
    "plan_progress",
    "progress_of",
    "recommendation_progress",
    "record_committee_decision",
    "record_recheck",
    "sign_off",
]

# At most this many evidence files on one update (each at most MAX_DOCUMENT_BYTES).
MAX_EVIDENCE_FILES = 10


def evidence_files_problem(files: Sequence[Any]) -> str | None:
    """What is wrong with uploaded evidence files, checked on their sizes before any is read into memory."""
    if len(files) > MAX_EVIDENCE_FILES:
        return f"Attach at most {MAX_EVIDENCE_FILES} files to one update."
    for f in files:
        if (getattr(f, "size", 0) or 0) > MAX_DOCUMENT_BYTES:
            return f"The file ‘{getattr(f, 'name', '')}’ is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."
    return None


# The RAG an update may give with each status (see the module docstring).
RAG_FOR_STATUS: dict[str, frozenset[str]] = {
    ActionStatus.NOT_STARTED: frozenset({Rag.GREEN, Rag.AMBER, Rag.RED}),
    ActionStatus.ON_TRACK: frozenset({Rag.GREEN}),
    ActionStatus.AT_RISK: frozenset({Rag.AMBER}),
    ActionStatus.OFF_TRACK: frozenset({Rag.RED}),
    ActionStatus.COMPLETE: frozenset({Rag.BLUE}),
    ActionStatus.COMPLETE_WITH_IMPACT: frozenset({Rag.BLUE}),
}

PLAN_FIELDS = ("title", "source", "review", "source_reference", "owner_group", "chair", "deputy_chair")
ACTION_FIELDS = (
    "recommendation",
    "description",
    "lead_agency",
    "lead_officer",
    "start_on",
    "due_on",
    "success_measure",
    "recheck_on",
)
STATE_FIELDS = ("status", "rag", "completed_on", "signed_off_by", "signed_off_at", "rechecked_on", "recheck_held")
# What a re-check may change on the action (logged as `actionplan.recheck_recorded`).
RECHECK_FIELDS = ("rechecked_on", "recheck_held", "due_on", "recheck_on")
# Free text about practice may name people: the log shows that it changed, not how.
MASKED = ("description", "success_measure", "narrative")


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _today(at: datetime | None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _text(errors: dict[str, str], name: str, value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = message
    return value


def _is_person(user: Any) -> bool:
    return is_active_person(user) and not getattr(user, "is_system", False)


# ---- plans ----------------------------------------------------------------------------------------


def _check_plan(
    errors: dict[str, str],
    *,
    source: str,
    review: Review | None,
    source_reference: str,
    chair: Any,
    deputy_chair: Any,
    plan: ActionPlan | None = None,
) -> None:
    if source not in Source.values:
        errors["source"] = "Choose where the plan comes from."
    elif source == Source.REVIEW:
        if review is None:
            errors["review"] = "Choose the case review whose recommendations this plan answers."
        elif ActionPlan.objects.filter(review=review).exclude(pk=plan.pk if plan else 0).exists():
            errors["review"] = "This review already has an action plan: open it from the review's page."
    else:
        if review is not None:
            errors["review"] = "Only a plan from case review recommendations is linked to a review."
        if not source_reference.strip():
            errors["source_reference"] = "Say what the plan answers, for example 'Ofsted inspection, March 2026'."
    if not _is_person(chair):
        errors["chair"] = "Choose the chair of the owner group: a person with an active account."
    if deputy_chair is not None:
        if not _is_person(deputy_chair):
            errors["deputy_chair"] = "Choose a person with an active account, or leave the deputy chair blank."
        elif chair is not None and deputy_chair.pk == chair.pk:
            errors["deputy_chair"] = "Choose someone other than the chair, or leave the deputy chair blank."


@transaction.atomic
def create_plan(
    actor: Any,
    *,
    title: str,
    source: str,
    owner_group: str,
    chair: Any,
    review: Review | None = None,
    source_reference: str = "",
    deputy_chair: Any = None,
    at: datetime | None = None,
) -> ActionPlan:
    """A new plan. A review's plan (source "review") is one per review; its actions are added one by
    one, each answering one of the review's recommendations."""
    _require(can_manage_plan(actor), "Only the business unit or an administrator can create an action plan.")
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, "Enter the plan's title.")
    owner_group = _text(errors, "owner_group", owner_group, "Enter the group that tracks the plan.")
    _check_plan(
        errors, source=source, review=review, source_reference=source_reference, chair=chair, deputy_chair=deputy_chair
    )
    if errors:
        raise ValidationError(errors)
    now = _now(at)
    try:
        with transaction.atomic():
            plan = ActionPlan.objects.create(
                title=title,
                source=source,
                review=review,
                source_reference=source_reference.strip(),
                owner_group=owner_group,
                chair=chair,
                deputy_chair=deputy_chair,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:  # two people started the review's plan at once
        raise ValidationError(
            {"review": "This review already has an action plan: open it from the review's page."}
        ) from exc
    record_activity(actor=actor, action="actionplan.created", target=plan, changes=created_diff(plan, PLAN_FIELDS))
    return plan


@transaction.atomic
def edit_plan(actor: Any, plan: ActionPlan, version: int, **fields: Any) -> ActionPlan:
    """Change the title, owner group, chair, deputy chair or source reference (not the source or review)."""
    _require(can_manage_plan(actor), "Only the business unit or an administrator can change an action plan.")
    allowed = {"title", "owner_group", "chair", "deputy_chair", "source_reference"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This cannot be changed here."))
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.version != version:
        raise StaleVersion(STALE_MESSAGE.replace("this action", "this plan").replace("the action", "the plan"))
    before = snapshot(locked, PLAN_FIELDS)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, str] = {}
    _text(errors, "title", locked.title, "Enter the plan's title.")
    _text(errors, "owner_group", locked.owner_group, "Enter the group that tracks the plan.")
    _check_plan(
        errors,
        source=locked.source,
        review=locked.review,
        source_reference=locked.source_reference,
        chair=locked.chair,
        deputy_chair=locked.deputy_chair,
        plan=locked,
    )
    if errors:
        raise ValidationError(errors)
    locked.version = version + 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*fields, "version", "updated_at"])
    record_activity(
        actor=actor, action="actionplan.edited", target=locked, changes=diff(before, snapshot(locked, PLAN_FIELDS))
    )
    for name in (*allowed, "version", "updated_at"):
        setattr(plan, name, getattr(locked, name))
    return plan


# ---- actions --------------------------------------------------------------------------------------


def _check_action(errors: dict[str, str], plan: ActionPlan, values: dict[str, Any]) -> None:
    rec: ReviewRecommendation | None = values.get("recommendation")
    if plan.review_id is not None:
        if rec is None:
            errors["recommendation"] = "Choose the recommendation this action answers."
        elif rec.review_id != plan.review_id:
            errors["recommendation"] = "Choose one of this review's recommendations."
    elif rec is not None:
        errors["recommendation"] = "Only actions in a case review's plan answer a recommendation."
    _text(errors, "description", values.get("description"), "Describe what will be done.")
    _text(errors, "success_measure", values.get("success_measure"), "Say how we will know it worked.")
    agency: Agency | None = values.get("lead_agency")
    officer = values.get("lead_officer")
    if agency is None or not agency.is_active:
        errors["lead_agency"] = "Choose the lead agency: one still active in the partnership."
    if not _is_person(officer):
        errors["lead_officer"] = "Choose the lead officer: a person with an active account."
    elif (
        agency is not None
        and officer is not None
        and not officer.memberships.filter(agency=agency, is_active=True, agency__is_active=True)
        .exclude(role=Role.AGENCY_SYSTEM)
        .exists()
    ):
        errors["lead_officer"] = f"Choose a lead officer who works in {agency.name}, or change the lead agency."
    start_on, due_on, recheck_on = values.get("start_on"), values.get("due_on"), values.get("recheck_on")
    if start_on is None:
        errors["start_on"] = "Enter the start date."
    if due_on is None:
        errors["due_on"] = "Enter the due date."
    if start_on is not None and due_on is not None and due_on < start_on:
        errors["due_on"] = "The due date must be on or after the start date."
    if start_on is not None and recheck_on is not None and recheck_on < start_on:
        errors["recheck_on"] = "The date to check the change held must be on or after the start date."


@transaction.atomic
def add_action(
    actor: Any,
    plan: ActionPlan,
    *,
    recommendation: ReviewRecommendation | None = None,
    description: str,
    lead_agency: Agency,
    lead_officer: Any,
    start_on: date,
    due_on: date,
    success_measure: str,
    recheck_on: date | None = None,
    at: datetime | None = None,
) -> Action:
    """Add an action, numbered next in the plan. In a review's plan it answers one of the review's
    recommendations; the lead officer must be an active member of the lead agency."""
    _require(can_manage_plan(actor), "Only the business unit or an administrator can add actions.")
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)  # numbers are given one at a time
    values = {
        "recommendation": recommendation,
        "description": description,
        "lead_agency": lead_agency,
        "lead_officer": lead_officer,
        "start_on": start_on,
        "due_on": due_on,
        "success_measure": success_measure,
        "recheck_on": recheck_on,
    }
    errors: dict[str, str] = {}
    _check_action(errors, locked, values)
    if errors:
        raise ValidationError(errors)
    now = _now(at)
    number = (locked.actions.aggregate(n=Max("number"))["n"] or 0) + 1
    action = Action.objects.create(
        plan=locked,
        number=number,
        recommendation=recommendation,
        description=description.strip(),
        lead_agency=lead_agency,
        lead_officer=lead_officer,
        start_on=start_on,
        due_on=due_on,
        success_measure=success_measure.strip(),
        recheck_on=recheck_on,
        created_at=now,
        updated_at=now,
    )
    ActionPlan.objects.filter(pk=locked.pk).update(updated_at=now)
    record_activity(
        actor=actor,
        action="actionplan.action_added",
        target=action,
        changes=created_diff(action, ACTION_FIELDS, MASKED),
    )
    _follow(actor, recommendation)
    return action


def _follow(actor: Any, recommendation: ReviewRecommendation | None) -> None:
    """Keep a review recommendation's status with its actions: once it has actions it is "in an action
    plan", and "complete" when every one of them is signed off (a reopened action takes it back)."""
    if recommendation is None:
        return
    signed = [
        at is not None
        for at in Action.objects.filter(recommendation=recommendation).values_list("signed_off_at", flat=True)
    ]
    if not signed:  # its last action moved to another recommendation
        current = ReviewRecommendation.objects.values_list("status", flat=True).get(pk=recommendation.pk)
        if current == RecommendationStatus.IN_ACTION_PLAN:
            follow_actions(actor=actor, recommendation=recommendation, status=RecommendationStatus.AGREED)
        return
    status = RecommendationStatus.COMPLETE if all(signed) else RecommendationStatus.IN_ACTION_PLAN
    follow_actions(actor=actor, recommendation=recommendation, status=status)


def _locked_action(action: Action, version: int | None = None) -> Action:
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("plan", "lead_agency", "lead_officer", "recommendation")
        .get(pk=action.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(STALE_MESSAGE)
    return locked


def _sync(target: Action, source: Action) -> Action:
    """Copy the saved state onto the caller's object so it can go on using it."""
    for f in Action._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


@transaction.atomic
def edit_action(actor: Any, action: Action, version: int, **fields: Any) -> Action:
    """Change what an action is (not its status or RAG, which updates set). `version` is the one the
    person read: a change made since refuses this one (StaleVersion), never overwritten silently."""
    _require(can_manage_plan(actor), "Only the business unit or an administrator can change actions.")
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(
            dict.fromkeys(sorted(unknown), "This cannot be changed here: status and RAG change through an update.")
        )
    locked = _locked_action(action, version)
    before = snapshot(locked, ACTION_FIELDS)
    before_recommendation = locked.recommendation
    values = {name: getattr(locked, name) for name in ACTION_FIELDS}
    values.update(fields)
    errors: dict[str, str] = {}
    _check_action(errors, locked.plan, values)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    changes = diff(before, snapshot(locked, ACTION_FIELDS), MASKED)
    if not changes:
        return _sync(action, locked)
    locked.version = version + 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*fields, "version", "updated_at"])
    record_activity(actor=actor, action="actionplan.action_edited", target=locked, changes=changes)
    if "recommendation" in changes:
        _follow(actor, before_recommendation)
        _follow(actor, locked.recommendation)
    return _sync(action, locked)


# ---- updates and sign-off ---------------------------------------------------------------------------


def update_rule_errors(
    action: Action, *, written_on: date | None, status: str, rag: str, has_new_evidence: bool, today: date
) -> dict[str, str]:
    """What is wrong with an update (empty when it may be added): the status rules above."""
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = "Choose the action's status."
    elif rag not in Rag.values:
        errors["rag"] = "Choose the RAG rating."
    elif rag not in RAG_FOR_STATUS[status]:
        if rag == Rag.BLUE:
            errors["rag"] = "Blue is only for a complete action. Choose red, amber or green, or set a complete status."
        elif status in COMPLETE_STATUSES:
            errors["rag"] = "A complete action is rated blue."
        else:
            allowed = " or ".join(Rag(r).label.lower() for r in Rag if r in RAG_FOR_STATUS[status])
            errors["rag"] = f"An action that is {ActionStatus(status).label.lower()} is rated {allowed}."
    if status == ActionStatus.COMPLETE_WITH_IMPACT and not has_new_evidence:
        has_old = ActionUpdate.objects.filter(action=action, evidence__isnull=False).exists()
        if not has_old:
            errors["evidence"] = "Attach the evidence of impact (for example an audit or survey result) to complete it."
    problem = _date_problem(action, written_on, today, "update")
    if problem:
        errors["written_on"] = problem
    return errors


def _date_problem(action: Action, day: date | None, today: date, what: str) -> str | None:
    """An update's date (a re-check is one): given, today or earlier, and not before the latest update."""
    if day is None:
        return f"Enter the date of the {what}."
    if day > today:
        return f"The date of the {what} must be today or in the past."
    latest = action.updates.aggregate(d=Max("written_on"))["d"]
    if latest is not None and day < latest:
        return f"The date of the {what} must be on or after the action's latest update ({latest:%d/%m/%Y})."
    return None


def _store_evidence(actor: Any, files: Sequence[Upload], at: datetime | None) -> list[Document]:
    documents = []
    for upload in files:
        try:
            documents.append(store_document(actor=actor, upload=upload, at=at))
        except ValidationError as exc:
            raise ValidationError({"evidence": f"{upload.filename}: {' '.join(exc.messages)}"}) from exc
    return documents


def _apply_update(
    actor: Any,
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
) -> ActionUpdate:
    """Write a checked update and move the action's state with it (the one update path: completion,
    reopening with sign-off and a held re-check cleared, the log, the recommendation following).
    `also`: further fields of the action set in the same save (a re-check's result and dates)."""
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
    locked.status, locked.rag = status, rag
    if locked.is_complete and not was_complete:
        locked.completed_on = written_on
    reopened = was_complete and not locked.is_complete
    if reopened:
        locked.completed_on = None
        locked.signed_off_by = None
        locked.signed_off_at = None
        if locked.recheck_held is True:  # the change held, and has slipped since: check it again
            locked.rechecked_on = None
            locked.recheck_held = None
    for name, value in (also or {}).items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_at = now
    locked.save(update_fields=list(dict.fromkeys([*STATE_FIELDS, *(also or {}), "version", "updated_at"])))
    changes = diff(before, snapshot(locked, STATE_FIELDS))
    record_activity(
        actor=actor,
        action="actionplan.update_added",
        target=locked,
        changes={**changes, "evidence": [None, len(documents)]} if documents else changes,
    )
    if reopened:
        record_activity(actor=actor, action="actionplan.action_reopened", target=locked, changes=changes)
        _follow(actor, locked.recommendation)
    return update


@transaction.atomic
def add_update(
    actor: Any,
    action: Action,
    *,
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
    locked = _locked_action(action, version)
    _require(
        can_update_action(actor, locked),
        "Only the action's lead officer or the business unit can add an update to this action.",
    )
    errors: dict[str, str] = {}
    narrative = _text(errors, "narrative", narrative, "Describe the progress since the last update.")
    errors.update(
        update_rule_errors(
            locked,
            written_on=written_on,
            status=status,
            rag=rag,
            has_new_evidence=bool(evidence_files),
            today=_today(at),
        )
    )
    if errors:
        raise ValidationError(errors)
    documents = _store_evidence(actor, evidence_files, at)
    update = _apply_update(
        actor,
        locked,
        written_on=written_on,
        narrative=narrative,
        status=status,
        rag=rag,
        documents=documents,
        now=_now(at),
    )
    _sync(action, locked)
    return update


# ---- re-checks ----------------------------------------------------------------------------------------


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
    problem = evidence_files_problem(evidence_files)
    if problem:
        errors["evidence"] = problem
    # The update's own rules (status, RAG, evidence); its date rule is said here in the re-check's words.
    rules = update_rule_errors(
        locked, written_on=today, status=status, rag=rag, has_new_evidence=bool(evidence_files), today=today
    )
    rules.pop("written_on", None)
    errors.update(rules)
    problem = _date_problem(locked, rechecked_on, today, "re-check")
    if problem:
        errors["rechecked_on"] = problem
    if held is False:
        if due_on is None:
            errors["due_on"] = "Enter the new due date: the change did not hold, so the action reopens."
        elif due_on <= today:
            errors["due_on"] = "The new due date must be in the future."
        elif due_on < locked.start_on:
            errors["due_on"] = f"The new due date must be on or after the start date ({locked.start_on:%d/%m/%Y})."
        if recheck_on is not None and due_on is not None and recheck_on <= due_on:
            errors["recheck_on"] = "The date to check the change held again must be after the new due date."
    return errors


@transaction.atomic
def record_recheck(
    actor: Any,
    action: Action,
    version: int,
    *,
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
    locked = _locked_action(action)
    _require(
        can_record_recheck(actor, locked),
        "Only the action's lead officer or the business unit can record the re-check.",
    )
    if locked.version != version:
        raise StaleVersion(STALE_MESSAGE)
    reason = recheck_blocker(actor, locked)
    if reason is not None:
        raise NotAllowed(reason)
    today = _today(at)
    status = locked.status if held is not False else ActionStatus.AT_RISK
    rag = Rag.BLUE if held is not False else Rag.AMBER
    errors: dict[str, str] = {}
    narrative = _text(errors, "narrative", narrative, "Describe what the re-check found.")
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
    documents = _store_evidence(actor, evidence_files, at)
    before = snapshot(locked, RECHECK_FIELDS)
    also: dict[str, Any] = {"rechecked_on": rechecked_on, "recheck_held": held}
    if not held:
        also.update(due_on=due_on, recheck_on=recheck_on)
    update = _apply_update(
        actor,
        locked,
        written_on=rechecked_on,
        narrative=narrative,
        status=status,
        rag=rag,
        documents=documents,
        now=_now(at),
        recheck_held=held,
        also=also,
    )
    changes = diff(before, snapshot(locked, RECHECK_FIELDS))
    record_activity(
        actor=actor,
        action="actionplan.recheck_recorded",
        target=locked,
        changes={**changes, "evidence": [None, len(documents)]} if documents else changes,
    )
    _sync(action, locked)
    return update


@transaction.atomic
def sign_off(actor: Any, action: Action, at: datetime | None = None) -> Action:
    """The plan's chair (or deputy chair) signs off a complete action; never its own lead officer."""
    locked = _locked_action(action)
    reason = sign_off_blocker(actor, locked)
    if reason is not None:
        raise NotAllowed(reason)
    now = _now(at)
    locked.signed_off_by = actor
    locked.signed_off_at = now
    locked.version += 1
    locked.updated_at = now
    locked.save(update_fields=["signed_off_by", "signed_off_at", "version", "updated_at"])
    record_activity(
        actor=actor, action="actionplan.action_signed_off", target=locked, changes={"signed_off": [False, True]}
    )
    _follow(actor, locked.recommendation)
    return _sync(action, locked)


# ---- versions and committee decisions ----------------------------------------------------------------


@transaction.atomic
def freeze_version(actor: Any, plan: ActionPlan, reason: str, at: datetime | None = None) -> PlanVersion:
    """Freeze the plan as it stands (plan and actions as JSON), e.g. when it goes to a committee.
    The version never changes afterwards; later changes show against it (`changes_since`)."""
    _require(can_manage_plan(actor), "Only the business unit or an administrator can freeze a version of the plan.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this version is frozen, e.g. 'Submitted to the scrutiny committee'."})
    locked = ActionPlan.objects.select_for_update(of=("self",)).select_related("review", "chair").get(pk=plan.pk)
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=locked,
        number=number,
        snapshot=plan_snapshot(locked),
        reason=reason.strip()[:200],
        created_by=actor,
        created_at=_now(at),
    )
    record_activity(actor=actor, action="actionplan.version_frozen", target=locked, changes={"version": [None, number]})
    return version


@transaction.atomic
def record_committee_decision(
    actor: Any,
    plan_version: PlanVersion,
    *,
    committee: str,
    meeting_on: date,
    outcome: str,
    questions: str = "",
    at: datetime | None = None,
) -> CommitteeDecision:
    """What a council's overview and scrutiny committee decided about the version it saw: accepted,
    or referred back with its questions (required then)."""
    _require(can_manage_plan(actor), "Only the business unit or an administrator can record a committee's decision.")
    errors: dict[str, str] = {}
    committee = _text(errors, "committee", committee, "Enter the committee's name.")
    questions = (questions or "").strip()
    if outcome not in CommitteeOutcome.values:
        errors["outcome"] = "Choose what the committee decided."
    elif outcome == CommitteeOutcome.REFERRED_BACK and not questions:
        errors["questions"] = "Enter the committee's questions: a plan referred back needs them answered."
    if meeting_on is None:
        errors["meeting_on"] = "Enter the date of the meeting."
    elif meeting_on > _today(at):
        errors["meeting_on"] = "Record the decision after the meeting: the date must be today or in the past."
    elif meeting_on < timezone.localdate(plan_version.created_at):
        errors["meeting_on"] = (
            f"The meeting must be on or after the date version {plan_version.number} was frozen "
            f"({timezone.localdate(plan_version.created_at):%d/%m/%Y})."
        )
    if errors:
        raise ValidationError(errors)
    decision = CommitteeDecision.objects.create(
        plan_version=plan_version,
        committee=committee,
        meeting_on=meeting_on,
        outcome=outcome,
        questions=questions,
        recorded_by=actor,
        recorded_at=_now(at),
    )
    record_activity(
        actor=actor,
        action="actionplan.committee_decision",
        target=decision,
        changes={"outcome": [None, outcome], "version": [None, plan_version.number]},
    )
    return decision
