"""The publication rules of a practice review, read side (the services in `services/publication.py`
enforce them; the pages and the API show them).

Sources: the Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018
(SI 2018/789) reg. 15; Working Together to Safeguard Children 2018 ch. 4 and 2023 ch. 5; for a serious
case review, Working Together 2013 and 2015, chapter 4.
- A local child safeguarding practice review is published, and a copy of the full report goes to the
  Child Safeguarding Practice Review Panel and the Secretary of State **no fewer than 7 working days
  before publication** (reg. 15; WT 2018 ch. 4, 2023 ch. 5).
- A serious case review (the LSCB regime): the LSCB sends the final report to Ofsted and the Department
  for Education **at least one week (7 days) before publication** (Working Together 2013 and 2015,
  chapter 4). The same two date fields hold its copies (`sent_to_panel_on`: Ofsted;
  `sent_to_secretary_of_state_on`: the Department for Education), named by `copy_rule`.
- Publication within 6 months of the decision to hold the review (WT 2018 ch. 4, 2023 ch. 5); it
  may be deferred (e.g. during criminal proceedings): the clock is then paused, shown as deferred, not
  late, and moved on by the days it was deferred when publication resumes. A serious case review's
  6-month target is for completing it, not publishing it (`completion_clock_applies`).
- Where publishing the report in full is inappropriate, the partners publish information about the
  improvements to be made and the reasons (reg. 15); the Panel and the Secretary of State still get
  the full report.
- Another learning review is the partnership's own: no 6-month target, no 7-day check; it may close
  with or without publication.
- Whatever is published is scanned for residual identifiers first (`identifier_scan`); each hit must
  be marked as intended, with a reason, before publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from safeguarding.core.calendar import add_working_days
from safeguarding.reviews.enums import STATUTORY_KINDS, PublicationScope, ReviewKind, Stage, Timeliness
from safeguarding.reviews.models import (
    PracticeReview,
    Publication,
    PublicationDeferral,
    PublicationReport,
    Review,
)

# Reg. 15 and Working Together: the copies reach the Panel and the Secretary of State no fewer than 7 working days
# before publication.
COPY_WORKING_DAYS = 7
PANEL = "the Child Safeguarding Practice Review Panel"


@dataclass(frozen=True)
class CopyRule:
    """Who gets the full report before publication, and how long before, in a review's regime. The first
    recipient's date is kept in `sent_to_panel_on`, the second's in `sent_to_secretary_of_state_on`."""

    recipients: tuple[str, str]  # in prose, with their article
    days: int
    working_days: bool
    source: str

    @property
    def labels(self) -> tuple[str, str]:
        """The recipients as row labels ("Child Safeguarding Practice Review Panel", "Ofsted")."""
        return (_label(self.recipients[0]), _label(self.recipients[1]))

    @property
    def both(self) -> str:
        return " and ".join(self.recipients)

    @property
    def notice(self) -> str:
        """How long before publication: "7 working days", or "one week (7 days)"."""
        return f"{self.days} working days" if self.working_days else f"one week ({self.days} days)"

    @property
    def after(self) -> str:
        """The gap after the later copy, in a date's parenthesis: "7 working days", "7 days"."""
        return f"{self.days} working days" if self.working_days else f"{self.days} days"

    def earliest(self, later_copy: date) -> date:
        if self.working_days:
            return add_working_days(later_copy, self.days)
        return later_copy + timedelta(days=self.days)


def _label(name: str) -> str:
    return name[4:] if name.startswith("the ") else name


LCSPR_COPIES = CopyRule((PANEL, "the Secretary of State"), COPY_WORKING_DAYS, True, "regulation 15 of SI 2018/789")
# Working Together 2013 and 2015, chapter 4: the LSCB sends the final SCR report to Ofsted and the Department for
# Education at least one week before publication.
SCR_COPIES = CopyRule(("Ofsted", "the Department for Education"), 7, False, "Working Together 2013 and 2015, chapter 4")


def copy_rule(practice: PracticeReview) -> CopyRule:
    """The copies' rule in the review's regime: a serious case review's, or reg. 15's."""
    return SCR_COPIES if practice.kind == ReviewKind.SCR else LCSPR_COPIES


# Stages at which publication may be deferred or scoped (before publication).
BEFORE_PUBLICATION = frozenset({Stage.IN_PROGRESS, Stage.DRAFT, Stage.WITH_FAMILY, Stage.FINAL})


def is_statutory(practice: PracticeReview) -> bool:
    return practice.kind in STATUTORY_KINDS


def publication_of(practice: PracticeReview) -> Publication | None:
    try:
        return practice.publication
    except Publication.DoesNotExist:
        return None


def open_deferral(practice: PracticeReview) -> PublicationDeferral | None:
    publication = publication_of(practice)
    if publication is None:
        return None
    return publication.deferrals.filter(resumed_on__isnull=True).first()


def current_report(practice: PracticeReview) -> PublicationReport | None:
    """The latest file uploaded for publication (the one that is published)."""
    publication = publication_of(practice)
    if publication is None:
        return None
    return publication.reports.order_by("-number").first()


def earliest_publication(practice: PracticeReview) -> date | None:
    """The first day publication is allowed: the rule's notice after the later of the two copies (None
    until both are recorded; None for a review the rule does not bind)."""
    if not is_statutory(practice):
        return None
    panel, sos = practice.sent_to_panel_on, practice.sent_to_secretary_of_state_on
    if panel is None or sos is None:
        return None
    return copy_rule(practice).earliest(max(panel, sos))


def copy_problem(practice: PracticeReview, published_on: date) -> str | None:
    """Why `published_on` is too soon for the copies (to the Panel and the Secretary of State; for a serious
    case review, to Ofsted and the Department for Education)."""
    if not is_statutory(practice):
        return None
    rule = copy_rule(practice)
    panel, sos = practice.sent_to_panel_on, practice.sent_to_secretary_of_state_on
    if panel is None or sos is None:
        missing = " and ".join(name for name, sent in zip(rule.recipients, (panel, sos), strict=True) if sent is None)
        return (
            f"Send the full report to {missing} and record the date first: it must reach them at least "
            f"{rule.notice} before publication."
        )
    earliest = earliest_publication(practice)
    assert earliest is not None
    if published_on < earliest:
        later = max(panel, sos)
        return (
            f"The full report must reach {rule.both} at least {rule.notice} before publication. The later copy "
            f"was sent on {later:%-d %B %Y}, so the earliest publication date is {earliest:%-d %B %Y}."
        )
    return None


def report_problem(practice: PracticeReview) -> str | None:
    """Why the uploaded report may not be published yet (None when it may)."""
    report = current_report(practice)
    what = "learning summary" if scope_of(practice) == PublicationScope.LEARNING_ONLY else "report"
    if report is None:
        return f"Upload the {what} to be published first, so it can be checked for identifying details."
    open_hits = report.hits.filter(intended=False).count()
    if open_hits:
        return (
            f"The {what} still has {open_hits} possible identifying detail{'s' if open_hits != 1 else ''}. "
            "Remove them and upload it again, or mark each one as intended, with a reason."
        )
    return None


def scope_of(practice: PracticeReview) -> str:
    publication = publication_of(practice)
    return publication.scope if publication else PublicationScope.FULL


def deferral_problem(practice: PracticeReview) -> str | None:
    deferral = open_deferral(practice)
    if deferral is None:
        return None
    return (
        f"Publication is deferred ({deferral.get_reason_kind_display().lower()}) until it is resumed: "
        f"resume publication first."
    )


def publication_clock_applies(practice: PracticeReview) -> bool:
    """The 6-month publication target binds a local child safeguarding practice review (a serious case review's
    6 months are for completing it; another learning review has none)."""
    return is_statutory(practice) and practice.kind != ReviewKind.SCR


def completion_clock_applies(practice: PracticeReview) -> bool:
    """A serious case review is completed within 6 months of the decision (Working Together 2015, chapter 4)."""
    return practice.kind == ReviewKind.SCR


def publication_timeliness(practice: PracticeReview, computed: Timeliness) -> Timeliness:
    """A deferred publication is shown as deferred, not late (or at risk)."""
    return Timeliness.DEFERRED if open_deferral(practice) is not None else computed


@dataclass(frozen=True)
class PublicationState:
    """What the publication page and the API show."""

    statutory: bool
    scope: str
    target_on: date | None
    deferral: PublicationDeferral | None
    earliest_on: date | None
    report: PublicationReport | None
    open_hits: int
    problem: str | None  # what still stops publication (besides the date)
    copies: CopyRule = LCSPR_COPIES  # who gets the full report before publication, in the review's regime
    completion_target_on: date | None = None  # a serious case review's: completed within 6 months of the decision


def state(review: Review) -> PublicationState:
    practice = review.practice_review
    report = current_report(practice)
    deferral = open_deferral(practice)
    problem = (
        deferral_problem(practice)
        or (copy_problem(practice, date.max) if is_statutory(practice) else None)
        or report_problem(practice)
    )
    return PublicationState(
        statutory=is_statutory(practice),
        scope=scope_of(practice),
        target_on=practice.target_publication_on if publication_clock_applies(practice) else None,
        deferral=deferral,
        earliest_on=earliest_publication(practice),
        report=report,
        open_hits=report.hits.filter(intended=False).count() if report else 0,
        problem=problem,
        copies=copy_rule(practice),
        completion_target_on=practice.target_publication_on if completion_clock_applies(practice) else None,
    )


def publish_intro(review: Review) -> str:
    """The line above the publish form: the earliest date allowed, or what the rule needs."""
    practice = review.practice_review
    if not is_statutory(practice):
        return "This is another learning review: the partnership decides whether and when to publish it."
    rule = copy_rule(practice)
    earliest = earliest_publication(practice)
    if earliest is None:
        return (
            f"Record when the full report was sent to {rule.both} first: "
            f"publication is allowed from {rule.after} after both copies."
        )
    return f"The earliest publication date is {earliest:%-d %B %Y} ({rule.after} after the copies)."
