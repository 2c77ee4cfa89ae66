"""Vocabulary of case reviews (domain.md §7): serious incident notifications, rapid reviews and
practice reviews."""

from django.db import models


class Stage(models.TextChoices):
    """Where a review is. Changed only by `workflow.apply_transition` (called by `services`)."""

    NOTIFIED = "notified", "Notified"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    DECISION = "decision", "Decision"
    # The rapid review recommended a national review: the case waits for the national panel's response.
    AWAITING_PANEL = "awaiting_panel", "Awaiting the national panel"
    # The national panel accepted it for a national review: the partnership contributes, the case stays open.
    NATIONAL_REVIEW = "national_review", "National review"
    IN_PROGRESS = "in_progress", "In progress"
    DRAFT = "draft", "Draft report"
    WITH_FAMILY = "with_family", "With the family"
    FINAL = "final", "Final report"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"


OPEN_STAGES = frozenset(s for s in Stage if s != Stage.CLOSED)
PRACTICE_REVIEW_STAGES = frozenset({Stage.IN_PROGRESS, Stage.DRAFT, Stage.WITH_FAMILY, Stage.FINAL, Stage.PUBLISHED})


class Harm(models.TextChoices):
    DEATH = "death", "A child has died"
    SERIOUS_HARM = "serious_harm", "A child has been seriously harmed"


class Recommendation(models.TextChoices):
    """What a rapid review recommends (and the partners decide)."""

    LCSPR = "lcspr", "Local child safeguarding practice review"
    OTHER_LEARNING = "other_learning", "Another form of learning review"
    NO_FURTHER_REVIEW = "no_further_review", "No further review"
    NATIONAL_REVIEW = "national_review", "Refer for a national review"


class PanelResponse(models.TextChoices):
    """The national panel's response to a rapid review that recommended a national review."""

    ACCEPTED = "accepted", "Accepted for a national review"
    RETURNED = "returned", "Returned for a local child safeguarding practice review"
    NO_REVIEW = "no_review", "No review"


# Decisions that go on to a local practice review (the others close the case locally).
LOCAL_REVIEW_DECISIONS = frozenset({Recommendation.LCSPR, Recommendation.OTHER_LEARNING})


class ReviewKind(models.TextChoices):
    LCSPR = "lcspr", "Local child safeguarding practice review"
    SCR = "scr", "Serious case review (before 2018)"
    OTHER_LEARNING = "other_learning", "Other learning review"


# The reviews the publication rules bind (SI 2018/789 reg. 15; Working Together 2018 ch. 4, 2023 ch. 5):
# an LCSPR published within 6 months of the decision, copies to the Panel and the Secretary of State at least
# 7 working days before; a serious case review completed within 6 months, copies to Ofsted and the Department
# for Education at least one week before (Working Together 2013 and 2015, ch. 4; `publication.copy_rule`).
# Another learning review is the partnership's own: no statutory clock.
STATUTORY_KINDS = frozenset({ReviewKind.LCSPR, ReviewKind.SCR})


class PublicationScope(models.TextChoices):
    """What is published: the report in full, or information about the improvements to be
    made, with the reasons, where publishing the report in full is inappropriate (SI 2018/789 reg. 15)."""

    FULL = "full", "The report in full"
    LEARNING_ONLY = "learning_only", "The learning only (information about the improvements to be made)"


class DeferralReason(models.TextChoices):
    CRIMINAL_PROCEEDINGS = "criminal_proceedings", "Criminal proceedings"
    INQUEST = "inquest", "A coroner's inquest"
    FAMILY = "family", "The welfare of the child or family"
    OTHER = "other", "Another reason"


class MemberRole(models.TextChoices):
    """People named on a review: they see its material (and only the reviews they are named on)."""

    PANEL = "panel", "Panel member"
    REVIEWER = "reviewer", "Independent reviewer"
    CHAIR = "chair", "Chair"


class RequestKind(models.TextChoices):
    AGENCY_SUMMARY = "agency_summary", "Individual agency summary (rapid review)"
    CHRONOLOGY = "chronology", "Agency chronology"
    AGENCY_REPORT = "agency_report", "Agency report"


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RecommendationStatus(models.TextChoices):
    """Ready for the action plans of the next issue: a recommendation becomes one or more actions."""

    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed by the partners"
    IN_ACTION_PLAN = "in_action_plan", "In an action plan"
    COMPLETE = "complete", "Complete"


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", "On time"
    AT_RISK = "at_risk", "At risk"
    LATE = "late", "Late"
    # Publication deferred (e.g. during criminal proceedings): the clock is paused, not late.
    DEFERRED = "deferred", "Deferred"


class Action(models.TextChoices):
    """What a stage-history row records: one per transition."""

    NOTIFIED = "notified", "Serious incident notified"
    NOTIFICATION_SENT = "notification_sent", "Notification sent to the national panel"
    RAPID_REVIEW_SENT = "rapid_review_sent", "Rapid review sent to the national panel"
    PRACTICE_REVIEW_OPENED = "practice_review_opened", "Decided: practice review"
    CLOSED_AT_DECISION = "closed_at_decision", "Decided: no local practice review"
    DRAFT_RECEIVED = "draft_received", "Draft report received"
    SHARED_WITH_FAMILY = "shared_with_family", "Draft shared with the family"
    FINALISED = "finalised", "Report finalised"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"
    CLOSED_UNPUBLISHED = "closed_unpublished", "Closed without publication (another learning review)"
    LEGACY_OPENED = "legacy_opened", "Practice review recorded"
    NATIONAL_REVIEW_REFERRED = "national_review_referred", "Referred to the national panel for a national review"
    NATIONAL_REVIEW_ACCEPTED = "national_review_accepted", "National panel: accepted for a national review"
    RETURNED_FOR_LOCAL_REVIEW = "returned_for_local_review", "National panel: returned for a local review"
    PANEL_NO_REVIEW = "panel_no_review", "National panel: no review"
    NATIONAL_REVIEW_CLOSED = "national_review_closed", "National review closed"
    REOPENED = "reopened", "Reopened"
