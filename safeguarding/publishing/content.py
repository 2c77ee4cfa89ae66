"""The content of a committee report, built once into a neutral structure (`ReportContent`) that the
PDF and the DOCX both render, so the two always say the same.

The editable text comes from a `ReportText` version; the review's key lines of enquiry and its
recommendations (quoted in full), the action plan table and the live figures (progress, overdue
actions, the review's timeliness) come from the records at the time of generation, which the report
states ("Figures as at …"). Text from other records is scrubbed of identifying details
(`anonymity.scrub`); the whole narrative is checked again before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.utils import timezone

from safeguarding.actionplans.enums import ActionRag, ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.actionplans.progress import Progress, plan_progress, recommendation_progress
from safeguarding.core.dates import long_date
from safeguarding.publishing.anonymity import Term, find_identifying, identifying_terms, scrub
from safeguarding.publishing.enums import IMPLICATIONS, Access
from safeguarding.publishing.models import CommitteeReport, ReportText
from safeguarding.reviews import clocks
from safeguarding.reviews import queries as review_queries
from safeguarding.reviews.enums import ReviewKind, Timeliness
from safeguarding.reviews.models import PracticeReview, Review, ReviewRecommendation

# Who a report is by when it names no author (the documents' metadata).
PARTNERSHIP = "Safeguarding Children Partnership"

BlockKind = Literal["p", "bullets", "numbered", "quote", "verified"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    level: int  # 1: a numbered section; 2: a numbered subsection
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class PlanRow:
    reference: str
    description: str
    lead: str
    due: str
    status: str  # e.g. "At risk (Amber)"; an overdue action "At risk (Red) – overdue" (`shown_rag`)
    overdue: bool
    at_risk: bool = False


@dataclass(frozen=True)
class PlanGroup:
    recommendation: str  # "Recommendation 1: …" (or "Other actions")
    progress: str  # "1 of 2 actions complete"
    rows: tuple[PlanRow, ...]


@dataclass(frozen=True)
class ReportContent:
    reference: str
    title: str
    access_marking: str
    header: tuple[tuple[str, str], ...]
    figures_at: datetime
    sections: tuple[Section, ...]
    appendix_title: str
    plan_reference: str
    plan_groups: tuple[PlanGroup, ...]
    counts: Progress
    author: tuple[str, ...]
    narrative: tuple[str, ...] = field(default=(), repr=False)

    @property
    def document_author(self) -> str:
        """The documents' author: the report's author, else the partnership."""
        return self.author[0] if self.author else PARTNERSHIP

    @property
    def figures_statement(self) -> str:
        return f"Figures as at {format_datetime(self.figures_at)}"


def format_date(day: date | None) -> str:
    return long_date(day) if day else "not set"


def format_datetime(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


def rag_name(rag: str) -> str:
    return str(ActionRag(rag).label).split(" (")[0]


def overdue_rag() -> str:
    """The RAG an overdue action is shown with (setting COMMITTEE_REPORT_OVERDUE_RAG: red by default,
    amber, or "own" to keep the action's own RAG). An overdue action has missed its due date, so the
    committee sees it as Red unless the partnership decides otherwise."""
    return str(getattr(settings, "COMMITTEE_REPORT_OVERDUE_RAG", ActionRag.RED) or ActionRag.RED)


def shown_rag(action: Action, today: date | None = None) -> str:
    """The action's RAG as the report shows it: the overdue rule first, then the action's own."""
    rule = overdue_rag()
    if today is not None and action.is_overdue(today) and rule != "own":
        return ActionRag(rule).value
    return action.rag


def status_with_rag(action: Action, today: date | None = None) -> str:
    return f"{action.get_status_display()} ({rag_name(shown_rag(action, today))})"


def is_at_risk(action: Action, today: date) -> bool:
    """Not complete, not overdue, but at risk: status at risk or off track, or RAG red or amber."""
    if action.is_complete or action.is_overdue(today):
        return False
    return action.status in (ActionStatus.AT_RISK, ActionStatus.OFF_TRACK) or action.rag in (
        ActionRag.RED,
        ActionRag.AMBER,
    )


def _status_note(action: Action, today: date) -> str:
    """What the committee should know beyond the status: overdue, or the check that the change held."""
    if action.is_overdue(today):
        return " – overdue"
    if action.recheck_held and action.rechecked_on:
        return f" – change held at re-check {action.rechecked_on:%d/%m/%Y}"
    if action.is_recheck_due(today):
        return " – re-check due"
    return ""


def blocks_from_text(text: str) -> tuple[Block, ...]:
    """Paragraphs split by blank lines; a paragraph whose lines all start with "- " or "* " is a list."""
    blocks = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line[:2] in ("- ", "* ") for line in lines):
            blocks.append(Block("bullets", items=tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("p", " ".join(lines)))
    return tuple(blocks)


def lines_of(text: str) -> tuple[str, ...]:
    return tuple(line.strip().lstrip("-*").strip() for line in (text or "").splitlines() if line.strip())


def addressed_to(recommendation: ReviewRecommendation) -> str:
    return recommendation.addressee.name if recommendation.addressee else "the partnership"


def _practice(review: Review) -> PracticeReview | None:
    try:
        return review.practice_review
    except PracticeReview.DoesNotExist:
        return None


def review_timeliness(review: Review, today: date) -> str:
    """The review's publication clock in words (6 months from the decision to hold it)."""
    practice = _practice(review)
    if practice is None:
        return "The partners have not yet decided to hold a practice review."
    if practice.kind == ReviewKind.SCR:
        return _completion_timeliness(review, practice, today)
    target = practice.target_publication_on
    if practice.published_on:
        late = practice.published_on > target
        return (
            f"Published on {format_date(practice.published_on)}, "
            f"{'after' if late else 'within'} the target of {format_date(target)} "
            f"(6 months after the decision on {format_date(practice.decided_on)})."
        )
    state = clocks.timeliness(clocks.Clock("Publication", practice.decided_on, target), today)
    words = {Timeliness.ON_TIME: "on time", Timeliness.AT_RISK: "at risk", Timeliness.LATE: "late"}[state]
    return (
        f"Publication is due by {format_date(target)} (6 months after the decision on "
        f"{format_date(practice.decided_on)}); not yet published: {words}."
    )


def _completion_timeliness(review: Review, practice: PracticeReview, today: date) -> str:
    """A serious case review's clock is for completing it: the final report within 6 months of the decision to
    hold it (Working Together 2015, chapter 4), not publication."""
    target = practice.target_publication_on
    rule = f"6 months after the decision on {format_date(practice.decided_on)}; Working Together 2015, chapter 4"
    completed = review_queries.completed_on(review)
    if completed is not None:
        late = completed > target
        return (
            f"Completed (final report received) on {format_date(completed)}, "
            f"{'after' if late else 'within'} the completion target of {format_date(target)} ({rule})."
        )
    state = clocks.timeliness(clocks.Clock("Completion", practice.decided_on, target), today)
    words = {Timeliness.ON_TIME: "on time", Timeliness.AT_RISK: "at risk", Timeliness.LATE: "late"}[state]
    return f"Completion is due by {format_date(target)} ({rule}); the final report is not yet received: {words}."


def _plan_table(plan: ActionPlan, terms: list[Term], today: date) -> tuple[tuple[PlanGroup, ...], Progress]:
    """The appendix table, grouped by recommendation, counted by the action plans app's own rules."""
    actions = list(plan.actions.select_related("lead_agency", "lead_officer", "recommendation", "plan"))
    groups: list[PlanGroup] = []
    for group in recommendation_progress(plan, today, actions):
        rec = group.recommendation
        heading = f"Recommendation {rec.number}: {scrub(rec.text, terms)}" if rec else "Other actions"
        progress = group.progress
        total = progress.total if progress else 0
        done = progress.complete if progress else 0
        groups.append(
            PlanGroup(
                recommendation=heading,
                progress=f"{done} of {total} action{'s' if total != 1 else ''} complete" if total else "no actions yet",
                rows=tuple(
                    PlanRow(
                        reference=a.reference,
                        description=scrub(a.description, terms),
                        lead=f"{a.lead_agency.name}: {a.lead_officer}",
                        due=f"{a.due_on:%d/%m/%Y}",
                        status=status_with_rag(a, today) + _status_note(a, today),
                        overdue=a.is_overdue(today),
                        at_risk=is_at_risk(a, today),
                    )
                    for a in sorted(group.actions, key=lambda a: a.number)
                ),
            )
        )
    return tuple(groups), plan_progress(plan, today, actions)


def _header(report: CommitteeReport) -> tuple[tuple[str, str], ...]:
    """The header block of the council's report template."""
    access = (
        "Public"
        if report.access == Access.PUBLIC
        else f"Exempt: not for publication ({report.exemption_paragraph}, Schedule 12A, Local Government Act 1972)"
    )
    return (
        ("Meeting date", format_date(report.meeting_on)),
        ("Item number", report.item_number or "To be confirmed"),
        ("Committee", report.committee),
        ("Title", report.title),
        ("Wards and communities affected", report.wards),
        ("Key decision", "Yes" if report.key_decision else "No"),
        ("Report of", report.report_of),
        ("Accountable assistant director", report.assistant_director),
        ("Accountable director", report.director),
        ("Public or exempt", access),
    )


def _background(
    report: CommitteeReport, t: dict[str, str], terms: list[Term], counts: Progress, figures_at: datetime
) -> list[Section]:
    """Sections 1 to 3: the summary, the recommendations to the committee, and the review's background
    (its commissioning, method, lines of enquiry, recommendations, progress and timeliness)."""
    review, plan = report.review, report.plan
    today = timezone.localdate(figures_at)
    practice = _practice(review)
    recommendations = list(review.recommendations.select_related("addressee").order_by("number"))
    kloe = lines_of(scrub(practice.key_lines_of_enquiry, terms)) if practice else ()
    quoted = tuple(
        Block("quote", f"Recommendation {r.number} (to {addressed_to(r)}): {scrub(r.text, terms)}")
        for r in recommendations
    )
    progress = (
        f"{format_datetime(figures_at)}: the action plan ({plan.reference}, tracked by the {plan.owner_group}) "
        f"has {counts.total} action{'s' if counts.total != 1 else ''}; {counts.complete} complete "
        f"({counts.percent_complete}%), {counts.overdue} overdue. The full plan is at Appendix A."
    )
    return [
        Section("1", "Executive summary", 1, blocks_from_text(t["executive_summary"])),
        Section(
            "2",
            "Recommendations",
            1,
            (Block("p", "The committee is recommended:"), Block("numbered", items=lines_of(t["recommendations"]))),
        ),
        Section("3", "Introduction and background", 1),
        Section("3.1", "Commissioning of the review", 2, blocks_from_text(t["commissioning"])),
        Section("3.2", "Method", 2, blocks_from_text(t["method"])),
        Section(
            "3.3",
            "Key lines of enquiry",
            2,
            (Block("bullets", items=kloe),) if kloe else (Block("p", "The review's terms of reference set none."),),
        ),
        Section(
            "3.4",
            "The review's recommendations",
            2,
            (
                Block("p", f"The review made {len(recommendations)} recommendations, quoted here in full."),
                *quoted,
            ),
        ),
        Section(
            "3.5",
            "Progress and timeliness",
            2,
            (Block("p", progress), Block("p", "Timeliness of the review: " + review_timeliness(review, today))),
        ),
    ]


def _risks(t: dict[str, str], groups: tuple[PlanGroup, ...]) -> Section:
    """3.6: the risks to delivering the plan — the overdue and at-risk actions from the live figures,
    then what the partnership wrote about them."""
    rows = [row for group in groups for row in group.rows]
    overdue = tuple(f"{r.reference} (overdue, due {r.due}): {r.description}" for r in rows if r.overdue)
    at_risk = tuple(f"{r.reference} ({r.status}, due {r.due}): {r.description}" for r in rows if r.at_risk)
    blocks: list[Block] = []
    if overdue:
        blocks += [Block("p", f"Overdue actions ({len(overdue)}):"), Block("bullets", items=overdue)]
    if at_risk:
        blocks += [Block("p", f"Actions at risk ({len(at_risk)}):"), Block("bullets", items=at_risk)]
    if not overdue and not at_risk:
        blocks.append(Block("p", "No action is overdue or at risk."))
    blocks += blocks_from_text(t.get("risks", ""))
    return Section("3.6", "Risks to delivering the action plan", 2, tuple(blocks))


def appendix_b(review: Review) -> str | None:
    """Appendix B, the published review report: only once the review is published."""
    practice = _practice(review)
    if practice is None or not practice.published_on:
        return None
    published = format_date(practice.published_on)
    return f"Appendix B: The published review report ({review.reference}, published {published})"


def _closing(t: dict[str, str], appendix_titles: tuple[str, ...]) -> list[Section]:
    """Sections 4 to 10: issues, reasons, consultation, impact, the implications (each verified by
    someone), the appendices and the background papers."""
    sections = [
        Section("4", "Issues and options", 1, blocks_from_text(t["issues_and_options"])),
        Section("5", "Reasons for the recommendation", 1, blocks_from_text(t["reasons"])),
        Section("6", "Consultation", 1, blocks_from_text(t["consultation"])),
        Section("7", "Impact on policies and priorities", 1, blocks_from_text(t["policy_impact"])),
        Section("8", "Implications", 1),
    ]
    for n, (key, heading, verified_key) in enumerate(IMPLICATIONS, start=1):
        blocks = blocks_from_text(t[key]) or (Block("p", "None."),)
        verified = t[verified_key].strip() or "Not yet verified"
        sections.append(
            Section(f"8.{n}", heading, 2, (*blocks, Block("verified", f"Implications verified by: {verified}")))
        )
    sections.append(
        Section("9", "Appendices", 1, (Block("bullets", items=(*appendix_titles, *lines_of(t["appendices"]))),))
    )
    papers = lines_of(t["background_papers"])
    sections.append(
        Section("10", "Background papers", 1, (Block("bullets", items=papers),) if papers else (Block("p", "None."),))
    )
    return sections


def _narrative(report: CommitteeReport, sections: list[Section], groups: tuple[PlanGroup, ...]) -> tuple[str, ...]:
    """Everything the report says about the case (not the named staff), checked for identifying details."""
    narrative = [report.review.title, report.title]
    for section in sections:
        for block in section.blocks:
            narrative += [block.text, *block.items]
    for group in groups:
        narrative.append(group.recommendation)
        narrative += [row.description for row in group.rows]
    return tuple(narrative)


def build_content(report: CommitteeReport, text: ReportText, *, figures_at: datetime | None = None) -> ReportContent:
    figures_at = figures_at or timezone.now()
    review, plan = report.review, report.plan
    terms = identifying_terms(review)
    t = text.values()
    groups, counts = _plan_table(plan, terms, timezone.localdate(figures_at))
    appendix_title = f"Appendix A: Action plan {plan.reference} for case review {review.reference}"
    published = appendix_b(review)
    appendices = (appendix_title, published) if published else (appendix_title,)
    sections = [
        *_background(report, t, terms, counts, figures_at),
        _risks(t, groups),
        *_closing(t, appendices),
    ]
    author = tuple(line for line in (report.author_name, report.author_title, report.author_contact) if line)
    return ReportContent(
        reference=report.reference,
        title=report.title,
        access_marking="PUBLIC" if report.access == Access.PUBLIC else "EXEMPT – NOT FOR PUBLICATION",
        header=_header(report),
        figures_at=figures_at,
        sections=tuple(sections),
        appendix_title=appendix_title,
        plan_reference=plan.reference,
        plan_groups=groups,
        counts=counts,
        author=author,
        narrative=_narrative(report, sections, groups),
    )


def identifying_in(content: ReportContent, terms: list[Term]) -> bool:
    """Whether the report's narrative (everything but the named staff) holds an identifying detail."""
    return any(find_identifying(text, terms) for text in content.narrative)
