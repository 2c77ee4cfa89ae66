"""Demo assessments for `seed_demo`, made through the same services as the pages and dated in the past.

The health visitor and the children's social care social worker are recorded as trained for the
neglect profile. Mason Whitlock is assessed by health visiting twice (care improving after support)
and once by children's social care; Tyler by the school nurse and by children's social care, so the
comparison pages show change over time and between agencies. All details are fictional.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from safeguarding.agencies.models import User
from safeguarding.assessments import services
from safeguarding.assessments.defaults import NEGLECT_PROFILE_CODE
from safeguarding.assessments.models import Assessment, AssessmentTemplate, TrainedAssessor
from safeguarding.children.models import Child
from safeguarding.core.context import use_via
from safeguarding.core.demo import DemoContext
from safeguarding.core.enums import Via

FEATURED_SURNAME = "Whitlock"

# Grades by sub-area code: physical care, safety, love and belonging, esteem.
CODES = [
    "nutrition",
    "housing",
    "clothing",
    "hygiene",
    "health",
    "safety-carer-present",
    "safety-carer-absent",
    "emotional-care",
    "stimulation",
    "approval",
    "acceptance",
]
MASON_HV_FIRST = [4, 4, 3, 4, 4, 3, 4, 3, 4, 3, 3]
MASON_CSC = [4, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3]
MASON_HV_SECOND = [3, 3, 2, 3, 2, 3, 3, 2, 3, 2, 2]
TYLER_NURSE = [4, 4, 4, 4, 3, 3, 4, 3, 3, 3, 2]
TYLER_CSC = [3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2]

# (assessor, child, days ago, grades, overall view, next steps): all fictional.
PLANNED = [
    (
        "hv",
        "Mason",
        130,
        MASON_HV_FIRST,
        "Mason's physical care and safety when his mother is not there are a serious worry.",
        "Health visitor to visit fortnightly; referral to early help for family support.",
    ),
    (
        "nurse",
        "Tyler",
        110,
        TYLER_NURSE,
        "Tyler is often hungry and unwashed at school; worries about supervision at home.",
        "Share with the health visitor and the school's safeguarding lead; offer early help.",
    ),
    (
        "csc",
        "Mason",
        30,
        MASON_CSC,
        "Neglect across physical care and supervision; some warmth and stimulation.",
        "Child in need plan; nursery place; housing repairs chased by the social worker.",
    ),
    (
        "csc",
        "Tyler",
        28,
        TYLER_CSC,
        "Tyler's basic care is inconsistent; school is a strength for him.",
        "Child in need plan; breakfast club; school to share attendance weekly.",
    ),
    (
        "hv",
        "Mason",
        12,
        MASON_HV_SECOND,
        "Care has improved since the support began, but it is not yet consistent.",
        "Continue fortnightly visits; review at the child in need meeting.",
    ),
]

EVIDENCE = {
    "nutrition": "Little fresh food in the home at the visit; the child was hungry on arrival at the setting.",
    "housing": "Home cold and cluttered; a broken stair gate reported to the landlord.",
    "health": "Developmental review missed; rebooked and attended with mother.",
    "safety-carer-absent": "Children left with a 15-year-old neighbour in the evenings, mother says.",
    "emotional-care": "Mother warm with the children when calm, but often low in mood.",
}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=11))


def _grades(values: list[int], with_events: list[int]) -> dict[str, services.GradeInput]:
    out = {}
    for code, value in zip(CODES, values, strict=True):
        events = with_events if code in ("health", "nutrition") else []
        out[code] = services.GradeInput(value, EVIDENCE.get(code, ""), events)
    return out


def _assess(
    *,
    assessor: User,
    child: Child,
    template: AssessmentTemplate,
    day: date,
    grades: list[int],
    view: str,
    steps: str,
) -> Assessment:
    from safeguarding.chronology.queries import events_for_child

    events = list(events_for_child(assessor, child).filter(occurred_on__lte=day).values_list("pk", flat=True)[:2])
    assessment = services.start_assessment(actor=assessor, child=child, template=template, assessed_on=day, at=_at(day))
    return services.complete_assessment(
        actor=assessor,
        assessment=assessment,
        version=assessment.version,
        grades=_grades(grades, events),
        overall_view=view,
        next_steps=steps,
        at=_at(day) + timedelta(hours=3),
    )


def _school_nurse(tyler: Child) -> User | None:
    involvement = (
        tyler.involvements.filter(service="School nursing", end__isnull=True, lead_professional__isnull=False)
        .select_related("lead_professional")
        .first()
    )
    return involvement.lead_professional if involvement else None


def seed_assessments(ctx: DemoContext) -> None:
    template = AssessmentTemplate.objects.filter(code=NEGLECT_PROFILE_CODE).order_by("-version").first()
    tyler = Child.objects.filter(first_name="Tyler", last_name=FEATURED_SURNAME).first()
    mason = Child.objects.filter(first_name="Mason", last_name=FEATURED_SURNAME).first()
    if template is None or tyler is None or mason is None:
        ctx.log("Assessments: the neglect profile or the featured family is missing; skipped.")
        return
    if Assessment.objects.filter(child__in=[tyler, mason]).exists():
        ctx.log("Assessments: already seeded.")
        return
    today = timezone.localdate()
    admin = User.objects.filter(username="admin").first()
    hv = User.objects.filter(username="practitioner.hv").first()
    csc = User.objects.filter(username="practitioner.csc").first()
    nurse = _school_nurse(tyler)
    with use_via(Via.COMMAND):
        for person in (hv, csc, nurse):
            if (
                person is not None
                and not TrainedAssessor.objects.current().filter(user=person, template=template).exists()
            ):
                services.mark_trained(
                    actor=admin,
                    user=person,
                    template=template,
                    trained_on=today - timedelta(days=400),
                    check_actor=False,
                )
        assessors = {"hv": hv, "csc": csc, "nurse": nurse}
        children = {"Mason": mason, "Tyler": tyler}
        made = 0
        for who, name, days_ago, grades, view, steps in PLANNED:
            assessor = assessors[who]
            if assessor is None:
                continue
            _assess(
                assessor=assessor,
                child=children[name],
                template=template,
                day=today - timedelta(days=days_ago),
                grades=grades,
                view=view,
                steps=steps,
            )
            made += 1
        cited = _cite_in_featured_cases(mason, hv)
    ctx.log(
        f"Assessments: {made} neglect profiles for the Whitlock brothers, by two or more agencies; "
        f"cited {cited} time(s)."
    )


def _cite_in_featured_cases(mason: Child, hv: User | None) -> int:
    """The health visitor's latest assessment of Mason, cited in an escalation about him (by the health
    visitor) and in the featured case review (by the independent reviewer, who has access to his record)."""
    from django.core.exceptions import ValidationError

    from safeguarding.assessments.queries import citable_escalations, citable_reviews

    latest = Assessment.objects.filter(child=mason, assessor=hv, status="completed").order_by("-assessed_on").first()
    if latest is None:
        return 0
    cited = 0
    reviewer = User.objects.filter(username="reviewer").first()
    for actor, targets, kind in (
        (hv, citable_escalations, "escalation"),
        (reviewer, citable_reviews, "review"),
    ):
        if actor is None:
            continue
        target = targets(actor, latest).first()
        if target is None:
            continue
        try:
            services.cite_assessment(
                actor=actor,
                assessment=latest,
                note="The neglect profile shows care improving but not yet consistent.",
                **{kind: target},
            )
            cited += 1
        except (services.AssessmentError, ValidationError):
            continue
    return cited
