"""Who may see and do what on a case review: every rule of the app, declared once.

Each predicate is registered as a `rules` permission below (the stage transitions' own permissions,
`reviews.<action>`, are registered by the workflow table in `workflow.py`, whose guards are these
predicates). Pages ask `require_perm` / `user.has_perm`, templates `{% has_perm %}`, the API and the
services call the same functions, so a link or button is shown exactly when the action is allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.agencies.models import Agency
from safeguarding.core import facts
from safeguarding.core.access import is_active_person
from safeguarding.reviews.enums import MemberRole, RequestStatus, Stage
from safeguarding.reviews.models import AgencyRequest, Review, ReviewMember

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer

# People in the local authority who may notify a serious incident (besides the business unit).
NOTIFYING_ROLES = frozenset({Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM})
# Who answers an agency's review requests: its safeguarding lead, or its system through the API.
REQUEST_ROLES = frozenset({Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM})
# Findings and recommendations are written while the report is being drafted.
WRITING_STAGES = frozenset({Stage.IN_PROGRESS, Stage.DRAFT, Stage.WITH_FAMILY})


# ---- people --------------------------------------------------------------------------------------


def is_business_unit(user: Viewer) -> bool:
    """The partnership's business unit: sees every review, and alone may show children's names."""
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT)


def member_roles(user: Viewer, review: Review) -> set[str]:
    """The roles `user` is named in on `review` (remembered on the review for the request)."""
    if not is_active_person(user) or user.is_system:
        return set()
    cache = getattr(review, "_member_roles", None)
    if cache is None:
        cache = {}
        review._member_roles = cache  # type: ignore[attr-defined]
    if user.pk not in cache:
        cache[user.pk] = set(review.members.filter(user_id=user.pk).values_list("role", flat=True))
    return set(cache[user.pk])


def notifying_agencies(user: Viewer) -> list[Agency]:
    """Statutory children's social care agencies this person (or system) may notify for."""
    if not is_active_person(user):
        return []
    ids = {m.agency_id for m in user.active_memberships if m.role in NOTIFYING_ROLES}
    return list(
        Agency.objects.filter(
            pk__in=ids, kind=AgencyKind.CHILDRENS_SOCIAL_CARE, partner_status=PartnerStatus.STATUTORY, is_active=True
        )
    )


def lead_agency_ids(user: Viewer) -> set[int]:
    """Agencies whose review requests this person (or agency system) answers."""
    return user.agency_ids_with_role(REQUEST_ROLES) if is_active_person(user) else set()


# ---- a review ------------------------------------------------------------------------------------


def can_see_review(user: Viewer, review: Review) -> bool:
    """Review material: the business unit, and the review's panel members, reviewers and chair."""
    return is_business_unit(user) or bool(member_roles(user, review))


def can_run_review(user: Viewer, review: Review) -> bool:
    """Move the stage, send requests, record the panel, sign-offs and dates, change a recommendation's
    status: the business unit and the chair."""
    return is_business_unit(user) or MemberRole.CHAIR in member_roles(user, review)


def can_write_review(user: Viewer, review: Review) -> bool:
    """Findings, recommendations, drafts, events, family engagement: also the independent reviewer."""
    return can_run_review(user, review) or MemberRole.REVIEWER in member_roles(user, review)


def at_writing_stage(review: Review) -> bool:
    """Findings and recommendations are written while the practice review is in progress."""
    return review.stage in WRITING_STAGES


def can_write_findings(user: Viewer, review: Review) -> bool:
    """Add findings and recommendations: a writer of the review, while the report is being drafted."""
    return can_write_review(user, review) and at_writing_stage(review)


def can_sign_off_for(user: Viewer, review: Review, agency: Agency) -> bool:
    """Record a statutory partner's sign-off: the business unit or the chair, or the partner's own
    person named on the review."""
    if can_run_review(user, review):
        return True
    if not is_active_person(user) or user.is_system:
        return False
    own = any(m.agency_id == agency.pk for m in user.active_memberships)
    return own and bool(member_roles(user, review))


def can_show_names(user: Viewer, review: Review) -> bool:
    """The review chronology with children's names: the business unit only (the default is anonymised)."""
    return is_business_unit(user)


# ---- the app -------------------------------------------------------------------------------------


def can_monitor(user: Viewer) -> bool:
    """The monitoring page (every review's stage and timeliness, no material): business unit, scrutineers."""
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT, Role.SCRUTINEER)


def can_open_any_review(user: Viewer) -> bool:
    """Open any review from the monitoring page: only those who may see every review's material."""
    return is_business_unit(user)


def can_notify(user: Viewer) -> bool:
    return is_business_unit(user) or bool(notifying_agencies(user))


def can_use_reviews(user: Viewer) -> bool:
    """Whether "Case reviews" appears in the navigation (and its index page answers)."""
    if not is_active_person(user) or user.is_system:
        return False
    return can_monitor(user) or can_notify(user) or bool(lead_agency_ids(user)) or facts.holds(user, "reviews.member")


# Named on a review (panel member, reviewer, chair): asked with the navigation's other facts, one query a page.
facts.register("reviews.member", lambda user: ReviewMember.objects.filter(user_id=user.pk))


# ---- an agency's request -------------------------------------------------------------------------


def answers_for_agency(user: Viewer, request: AgencyRequest) -> bool:
    """The request is to this person's (or system's) agency, whose safeguarding lead answers it."""
    return request.agency_id in lead_agency_ids(user)


def request_is_open(request: AgencyRequest) -> bool:
    return request.status == RequestStatus.REQUESTED


def can_answer_request(user: Viewer, request: AgencyRequest) -> bool:
    """Submit the agency's answer: its lead (or system), while the request is still open."""
    return request_is_open(request) and answers_for_agency(user, request)


# ---- permissions for `user.has_perm`, `require_perm` and templates' `{% has_perm %}` -------------


def _on(check: Any) -> Any:
    """A permission on an object: refused when asked without one."""
    return rules.predicate(lambda user, obj: obj is not None and check(user, obj), name=check.__name__)


rules.add_perm("reviews.view_review", _on(can_see_review))
rules.add_perm("reviews.run_review", _on(can_run_review))
rules.add_perm("reviews.write_review", _on(can_write_review))
rules.add_perm("reviews.write_findings", _on(can_write_findings))
rules.add_perm("reviews.show_names", _on(can_show_names))
rules.add_perm("reviews.answer_request", _on(can_answer_request))
rules.add_perm("reviews.monitor", rules.predicate(can_monitor))
rules.add_perm("reviews.notify", rules.predicate(can_notify))
rules.add_perm("reviews.use_reviews", rules.predicate(can_use_reviews))
rules.add_perm("reviews.open_any_review", rules.predicate(can_open_any_review))
