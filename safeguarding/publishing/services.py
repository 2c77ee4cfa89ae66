"""State changes of committee reports: one `kernel.service` per action (`verb_noun(*, actor, …)`, one
transaction, the activity log), checking the rule (`permissions`) and writing. Pages, the task, the management
command and the demo data call these.

- `create_report` writes the report and text version 1, prefilled from the review (`prefill`).
- `update_report` changes the header block (`kernel.update_versioned`); `edit_text` writes a new text
  version (the report locked, `kernel.lock`, so versions are numbered one at a time). Both carry the
  version the person started from: an edit against an older one is refused (`StaleVersion`), never
  applied over someone else's.
- `request_generation` queues a generation; `generate_report` freezes the action plan
  (actionplans' `freeze_version`), builds the content once and renders the PDF and the DOCX.
- `record_decision` records the committee's decision against the plan version the report carried
  (actionplans' `record_committee_decision`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from safeguarding.actionplans.models import ActionPlan, CommitteeDecision
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.publishing import consistency, plans, prefill
from safeguarding.publishing.anonymity import find_identifying, identifying_terms
from safeguarding.publishing.content import build_content, format_date, identifying_in
from safeguarding.publishing.enums import TEXT_KEYS, TEXT_LABELS, Access, GenerationStatus
from safeguarding.publishing.errors import NotAllowed, PublishingError, StaleVersion
from safeguarding.publishing.models import CommitteeReport, GeneratedReport, ReportText
from safeguarding.publishing.permissions import can_read_reports, can_write_reports
from safeguarding.publishing.queries import plan_of
from safeguarding.publishing.rendering import render_docx, render_pdf
from safeguarding.reviews.models import Review

if TYPE_CHECKING:
    from safeguarding.core.types import Person

__all__ = [
    "FiguresContradicted",
    "Header",
    "NotAllowed",
    "PublishingError",
    "StaleVersion",
    "contradictions",
    "create_report",
    "default_text",
    "edit_text",
    "figure_sentences",
    "generate_now",
    "generate_report",
    "generation_reason",
    "mark_failed",
    "record_decision",
    "record_download",
    "request_generation",
    "text_diff",
    "update_report",
]

STALE_TEXT = (
    "Someone else saved a newer version of this report's text while you were editing, so your version "
    "was not saved. Compare the versions in the history, then edit the latest version."
)
IDENTIFYING = (
    "This names, or gives the NHS number, date of birth or postcode of, a child or family member in the "
    "review. Use the review's pseudonyms (for example Child A) instead."
)


def _require_writer(actor: Person) -> None:
    kernel.require(can_write_reports(actor), "Only the partnership business unit or an administrator can do this.")


def _plan_of(review: Review) -> ActionPlan:
    plan = plan_of(review)
    if plan is None:
        raise kernel.ServiceError("This review has no action plan yet. Create the action plan first.")
    return plan


@dataclass(frozen=True)
class Header:
    title: str
    committee: str
    meeting_on: date
    item_number: str
    wards: str
    key_decision: bool
    report_of: str
    assistant_director: str
    director: str
    access: str
    exemption_paragraph: str
    author_name: str
    author_title: str
    author_contact: str


def _check_header(header: Header, review: Review) -> None:
    errors: dict[str, str] = {}
    for name, message in (
        ("title", "Enter the report's title."),
        ("committee", "Enter the committee."),
        ("wards", "Enter the wards and communities affected, or 'All wards'."),
        ("report_of", "Enter who the report is of."),
        ("assistant_director", "Enter the accountable assistant director."),
        ("director", "Enter the accountable director."),
        ("author_name", "Enter the report author."),
        ("author_contact", "Enter the author's telephone and e-mail."),
    ):
        if not str(getattr(header, name) or "").strip():
            errors[name] = message
    if header.access not in Access.values:
        errors["access"] = "Choose public or exempt."
    elif header.access == Access.EXEMPT and not header.exemption_paragraph.strip():
        errors["exemption_paragraph"] = "Enter the paragraph of Schedule 12A that makes the report exempt."
    if header.title.strip() and find_identifying(header.title, identifying_terms(review)):
        errors["title"] = IDENTIFYING
    if errors:
        raise ValidationError(errors)


def _header_values(header: Header) -> dict[str, Any]:
    values = {name: getattr(header, name) for name in CommitteeReport.HEADER_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    if values["access"] == Access.PUBLIC:
        values["exemption_paragraph"] = ""
    return values


def default_text(review: Review) -> dict[str, str]:
    """Sensible first text for a review's report, from the review's own records (no names)."""
    return prefill.text_for(review)


@kernel.service
def create_report(
    *, actor: Person, review: Review, header: Header, text: dict[str, str] | None = None, at: datetime | None = None
) -> CommitteeReport:
    _require_writer(actor)
    plan = _plan_of(review)
    _check_header(header, review)
    now = kernel.now(at)
    report = CommitteeReport.objects.create(
        review=review, plan=plan, created_by=actor, created_at=now, updated_at=now, **_header_values(header)
    )
    fields = dict.fromkeys(TEXT_KEYS, "") | default_text(review) | (text or {})
    _check_text(fields, review)
    ReportText.objects.create(report=report, number=1, fields=fields, created_by=actor, created_at=now)
    record_activity(
        actor=actor,
        action="publishing.report_created",
        target=report,
        changes=created_diff(report, CommitteeReport.HEADER_FIELDS),
    )
    return report


@kernel.service
def update_report(*, actor: Person, report: CommitteeReport, version: int, header: Header) -> CommitteeReport:
    """Change the header block. `version` is the report's version as the person read it: a change made
    since refuses this one (StaleVersion)."""
    _require_writer(actor)
    locked = kernel.lock(CommitteeReport.objects.select_related("review"), report.pk, version=version, noun="report")
    _check_header(header, locked.review)
    before = snapshot(locked, CommitteeReport.HEADER_FIELDS)
    kernel.update_versioned(
        locked,
        version=version,
        changes={**_header_values(header), "updated_at": timezone.now()},
        noun="report",
    )
    record_activity(
        actor=actor,
        action="publishing.report_updated",
        target=locked,
        changes=diff(before, snapshot(locked, CommitteeReport.HEADER_FIELDS)),
    )
    return locked


def _check_text(fields: dict[str, str], review: Review) -> None:
    terms = identifying_terms(review)
    errors = {key: IDENTIFYING for key, value in fields.items() if value and find_identifying(value, terms)}
    if errors:
        raise ValidationError(errors)


@kernel.service
def edit_text(
    *, actor: Person, report: CommitteeReport, base_number: int, fields: dict[str, str], at: datetime | None = None
) -> ReportText:
    """A new version of the text. `base_number` is the version the person started from: when someone
    saved another since, the edit is refused (nothing is overwritten)."""
    _require_writer(actor)
    # Locked: two people saving at once are numbered one after the other, and the second is refused.
    locked = kernel.lock(CommitteeReport.objects.select_related("review"), report.pk, noun="report")
    latest = locked.texts.aggregate(n=Max("number"))["n"] or 0
    if base_number != latest:
        raise kernel.StaleVersion(STALE_TEXT)
    unknown = set(fields) - set(TEXT_KEYS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    clean = {key: (fields.get(key) or "").replace("\r\n", "\n").strip() for key in TEXT_KEYS}
    _check_text(clean, locked.review)
    previous = locked.texts.get(number=latest).values() if latest else {}
    text = ReportText.objects.create(
        report=locked, number=latest + 1, fields=clean, created_by=actor, created_at=kernel.now(at)
    )
    changed = sorted(key for key in TEXT_KEYS if previous.get(key, "") != clean[key])
    record_activity(
        actor=actor,
        action="publishing.text_edited",
        target=locked,
        changes={"text_version": [latest or None, text.number], "fields_changed": [[], changed]},
    )
    return text


@dataclass(frozen=True)
class FieldDiff:
    key: str
    label: str
    lines: list[tuple[str, str]]  # (" " | "-" | "+", line)


def text_diff(old: ReportText, new: ReportText) -> list[FieldDiff]:
    """The fields that differ between two versions, line by line ("-" removed, "+" added)."""
    out = []
    a, b = old.values(), new.values()
    for key in TEXT_KEYS:
        if a[key] == b[key]:
            continue
        lines: list[tuple[str, str]] = []
        for line in difflib.ndiff(a[key].splitlines(), b[key].splitlines()):
            if line[:1] in (" ", "-", "+"):
                lines.append((line[:1], line[2:]))
        out.append(FieldDiff(key, TEXT_LABELS[key], lines))
    return out


# ---- generation ------------------------------------------------------------------------------------


class FiguresContradicted(kernel.ServiceError):
    """The text says something the live figures contradict, and nobody has confirmed it yet."""

    def __init__(self, contradictions: list[consistency.Contradiction]) -> None:
        count = len(contradictions)
        super().__init__(
            f"The report's text says {count} thing{'s' if count != 1 else ''} the live figures contradict. "
            "Check each one, then edit the text or confirm that it is right."
        )
        self.contradictions = contradictions


def contradictions(report: CommitteeReport, today: date | None = None) -> list[consistency.Contradiction]:
    """What the latest text says that the action plan and the review contradict now."""
    text = report.latest_text()
    if text is None:
        return []
    facts = consistency.facts_for(report.plan, report.review, today or timezone.localdate())
    return consistency.check_text(text.values(), facts)


def figure_sentences(report: CommitteeReport, today: date | None = None) -> list[str]:
    facts = consistency.facts_for(report.plan, report.review, today or timezone.localdate())
    return consistency.figure_sentences(facts)


@kernel.service
def request_generation(
    *, actor: Person, report: CommitteeReport, confirmed: bool = False, at: datetime | None = None
) -> GeneratedReport:
    """Queue a generation from the latest text version (the task does the work: `generate_report`).

    The text is checked against the live figures first: any contradiction refuses the generation
    (`FiguresContradicted`) until the person confirms the text (`confirmed`), which the log records."""
    _require_writer(actor)
    text = report.latest_text()
    if text is None:
        raise kernel.ServiceError("Write the report's text first.")
    found = contradictions(report, timezone.localdate(kernel.now(at)))
    if found and not confirmed:
        raise FiguresContradicted(found)
    generated = GeneratedReport.objects.create(
        report=report, text=text, requested_by=actor, requested_at=kernel.now(at)
    )
    changes: dict[str, Any] = {"text_version": [None, text.number]}
    if found:
        changes["contradictions_confirmed"] = [None, len(found)]
    record_activity(actor=actor, action="publishing.generation_requested", target=report, changes=changes)
    return generated


def generation_reason(report: CommitteeReport) -> str:
    return f"Committee report {report.title} {format_date(report.meeting_on)}"[:200]


@kernel.service
def generate_report(*, actor: Person, generated: GeneratedReport, at: datetime | None = None) -> GeneratedReport:
    """Freeze the plan, build the content once, render PDF and DOCX, keep all of it.

    `actor` is the person who asked for it (the task and `generate_now` pass `requested_by`), checked
    again now: they may have lost the role since. Generated once: a second run changes nothing."""
    locked = kernel.lock(GeneratedReport.objects.select_related("report", "text", "requested_by"), generated.pk)
    if locked.status == GenerationStatus.DONE:
        kernel.unchanged()
        return locked
    kernel.require(
        actor is not None and actor.pk == locked.requested_by_id,
        "A report is generated for the person who asked for it.",
    )
    _require_writer(actor)
    report = locked.report
    now = kernel.now(at)
    plan_version = plans.freeze_plan(actor=actor, plan=report.plan, reason=generation_reason(report))
    content = build_content(report, locked.text, figures_at=now)
    if identifying_in(content, identifying_terms(report.review)):
        raise kernel.ServiceError(IDENTIFYING)
    locked.pdf = render_pdf(content)
    locked.docx = render_docx(content)
    locked.plan_version = plan_version
    locked.generated_at = now
    locked.generated_by = actor
    locked.status = GenerationStatus.DONE
    locked.error = ""
    locked.save(update_fields=["pdf", "docx", "plan_version", "generated_at", "generated_by", "status", "error"])
    record_activity(
        actor=actor,
        action="publishing.report_generated",
        target=report,
        changes={"plan_version": [None, plan_version.pk], "generated": [None, locked.pk]},
    )
    return locked


def mark_failed(generated: GeneratedReport, message: str) -> None:
    """Say why a generation failed (after its transaction rolled back; the scheduled job's record, not a
    person's change, so no activity is logged)."""
    GeneratedReport.objects.filter(pk=generated.pk).exclude(status=GenerationStatus.DONE).update(
        status=GenerationStatus.FAILED, error=message[:2000]
    )


def generate_now(
    *, actor: Person, report: CommitteeReport, confirmed: bool = False, at: datetime | None = None
) -> GeneratedReport:
    """Request and run a generation in this process (the management command and the demo data)."""
    generated = request_generation(actor=actor, report=report, confirmed=confirmed, at=at)
    try:
        return generate_report(actor=actor, generated=generated, at=at)
    except kernel.ServiceError as exc:
        mark_failed(generated, exc.message)
        raise


@kernel.service
def record_download(*, actor: Person, generated: GeneratedReport, file_format: str) -> None:
    kernel.require(can_read_reports(actor), "You cannot download committee reports.")
    record_activity(
        actor=actor,
        action="publishing.report_downloaded",
        target=generated.report,
        changes={"generated": [None, generated.pk], "format": [None, file_format]},
    )


# ---- the committee's decision ------------------------------------------------------------------------


@kernel.service
def record_decision(
    *, actor: Person, generated: GeneratedReport, outcome: str, questions: str = "", meeting_on: date | None = None
) -> CommitteeDecision:
    """Recorded by the action plans app against the plan version this report carried."""
    _require_writer(actor)
    kernel.require(
        generated.is_done and generated.plan_version is not None,
        "Record the decision on a report that was generated and sent to the committee.",
        kernel.ServiceError,
    )
    assert generated.plan_version is not None  # (required just above)
    report = generated.report
    decision = plans.record_decision(
        actor=actor,
        plan_version=generated.plan_version,
        committee=report.committee,
        meeting_on=meeting_on or report.meeting_on,
        outcome=outcome,
        questions=questions.strip(),
    )
    record_activity(
        actor=actor,
        action="publishing.decision_recorded",
        target=report,
        changes={"generated": [None, generated.pk], "outcome": [None, outcome]},
    )
    return decision
