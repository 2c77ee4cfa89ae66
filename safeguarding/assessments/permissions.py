"""Who may do what with assessments. Declared once; used by pages, the API, templates and services.

- Assessing: a person (never an agency system) in a case-holding role, recorded as trained for the
  template (`TrainedAssessor`, by the template's code, so training covers every version of it).
- A draft is changed only by its assessor, while they are still trained; a completed one never.
- Training records are kept by an agency's safeguarding lead (for people in that agency) and by
  administrators (for anyone).

Each rule is a `rules` permission (`assessments.assess`, `assessments.edit_assessment`, …): pages ask
`user.has_perm` (or `require_perm`/`perm_required`), templates `{% has_perm %}`, services the same
predicates. An assessment's status moves only through `ASSESSMENT_WORKFLOW` (draft → completed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules

from safeguarding.agencies.enums import Role
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.core import facts, kernel
from safeguarding.core.access import is_active_person
from safeguarding.core.context import remembered

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

# Roles in which a person may assess a child (the case-holding roles, without agency systems).
ASSESSOR_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})


def is_person(user: Viewer | None) -> TypeGuard[Person]:
    return is_active_person(user) and not getattr(user, "is_system", False)


def assessor_agency_ids(user: Viewer) -> set[int]:
    return user.agency_ids_with_role(ASSESSOR_ROLES) if is_person(user) else set()


def is_trained(user: Viewer, template: Any) -> bool:
    """Recorded (and not revoked) as trained for this template, in any of its versions."""
    from safeguarding.assessments.models import TrainedAssessor

    if not is_person(user) or template is None:
        return False
    return TrainedAssessor.objects.current().filter(user_id=user.pk, template__code=template.code).exists()


def trained_template_codes(user: Viewer) -> set[str]:
    from safeguarding.assessments.models import TrainedAssessor

    if not is_person(user):
        return set()

    def codes() -> frozenset[str]:
        return frozenset(
            TrainedAssessor.objects.current().filter(user_id=user.pk).values_list("template__code", flat=True)
        )

    # Asked by the navigation and the home page's panels alike: once per request.
    return set(remembered(("assessments.trained_template_codes", user.pk), codes))


@rules.predicate
def can_assess(user: Viewer) -> bool:
    """May start assessments at all: an assessor role and training for at least one template."""
    return bool(assessor_agency_ids(user)) and facts.holds(user, "assessments.trained")


def _trainings(user: Any) -> Any:
    from safeguarding.assessments.models import TrainedAssessor

    return TrainedAssessor.objects.current().filter(user_id=user.pk)


# Trained for at least one template (`trained_template_codes` is not empty): asked with the navigation's
# other facts, one query a page.
facts.register("assessments.trained", _trainings)


@rules.predicate
def can_use_assessments(user: Viewer) -> bool:
    """Sees the assessments pages: anyone who holds cases, or keeps training records."""
    return bool(assessor_agency_ids(user)) or can_manage_training(user)


def lead_agency_ids(user: Viewer) -> set[int]:
    return user.agency_ids_with_role({Role.SAFEGUARDING_LEAD}) if is_person(user) else set()


def is_administrator(user: Viewer) -> bool:
    return is_person(user) and user.has_role(Role.ADMINISTRATOR)


@rules.predicate
def can_manage_training(user: Viewer) -> bool:
    return is_administrator(user) or bool(lead_agency_ids(user))


@rules.predicate
def may_record_training_for(actor: Viewer, person: Person | None) -> bool:
    """An administrator for anyone; a safeguarding lead for people with a membership in their agency."""
    if is_administrator(actor):
        return True
    leads = lead_agency_ids(actor)
    return (
        bool(leads) and person is not None and person.memberships.filter(agency_id__in=leads, is_active=True).exists()
    )


@rules.predicate
def can_edit_assessment(user: Viewer, assessment: Any) -> bool:
    return (
        assessment is not None
        and not assessment.is_completed
        and is_person(user)
        and assessment.assessor_id == user.pk
        and is_trained(user, assessment.template)
    )


@rules.predicate
def holds_cases(user: Viewer) -> bool:
    """May open the start page: a person in a case-holding role (training is asked for there)."""
    return bool(assessor_agency_ids(user))


@rules.predicate
def sees_assessment(user: Viewer, assessment: Any) -> bool:
    """A person who may see this assessment (of a child their agency works with)."""
    from safeguarding.assessments.queries import assessments_visible_to

    return assessment is not None and is_person(user) and assessments_visible_to(user).filter(pk=assessment.pk).exists()


@rules.predicate
def is_completed(user: Viewer, assessment: Any) -> bool:
    return assessment is not None and assessment.status == AssessmentStatus.COMPLETED


# Cite an assessment in an escalation or a review: a completed one the person may see (the target is
# checked too).
can_cite_assessment = sees_assessment & is_completed

can_see_navigation = can_assess | can_manage_training

# The assessment's status lifecycle: its assessor, trained for the template, completes the draft.
ASSESSMENT_WORKFLOW = kernel.Workflow(
    name="assessment",
    noun="assessment",
    app_label="assessments",
    transitions=[
        kernel.Transition(
            "complete",
            "Complete the assessment",
            frozenset({AssessmentStatus.DRAFT}),
            AssessmentStatus.COMPLETED,
            "Only the person who started this assessment, while trained for the template, can complete it.",
            who=can_edit_assessment,
        ),
    ],
)

rules.add_perm("assessments.assess", can_assess)
rules.add_perm("assessments.start", holds_cases)
rules.add_perm("assessments.use", can_use_assessments)
rules.add_perm("assessments.cite", can_cite_assessment)
rules.add_perm("assessments.record_training_for", may_record_training_for)
rules.add_perm("assessments.manage_training", can_manage_training)
rules.add_perm("assessments.edit_assessment", can_edit_assessment)
