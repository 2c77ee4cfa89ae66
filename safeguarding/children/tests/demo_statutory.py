"""The statutory process the demo families must follow (Working Together 2023), checked on a seeded
database: referral → strategy discussion (section 47 threshold met) → section 47 enquiry → initial
child protection conference within 15 working days of the strategy discussion → child protection
plan, started on the conference's date → review conferences three months on, then every six months;
child in need plans after an assessment; everyone with parental responsibility part of the plan;
dates in order. `problems()` lists every breach in words, so a failing test says what is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from safeguarding.children.models import Child, Relationship
from safeguarding.chronology.models import EventChild
from safeguarding.core.calendar import working_days_between
from safeguarding.plans.enums import AgreementMethod, PlanType
from safeguarding.plans.models import CarePlan

STEPS = (
    "referral_to_csc",
    "referral_outcome",
    "strategy_discussion",
    "assessment_completed",
    "child_protection_conference",
    "plan_started",
    "plan_ended",
)
# A review conference is due three months after the initial one, then every six months; a few days'
# slack for the conference falling on the working day before.
GRACE = timedelta(days=7)


@dataclass
class Journey:
    """One child's social care entries, oldest first, as (date, type, category, summary)."""

    child: Child
    steps: list[tuple[date, str, str, str]] = field(default_factory=list)

    def on_or_before(self, code: str, day: date) -> list[tuple[date, str, str, str]]:
        return [s for s in self.steps if s[1] == code and s[0] <= day]


def journeys() -> dict[int, Journey]:
    rows = (
        EventChild.objects.filter(is_current=True, event__event_type__code__in=STEPS)
        .select_related("child", "event__event_type")
        .order_by("occurred_on", "event_id")
    )
    found: dict[int, Journey] = {}
    for row in rows:
        journey = found.setdefault(row.child_id, Journey(row.child))
        event = row.event
        journey.steps.append((row.occurred_on, event.event_type.code, event.category, event.summary))
    return found


def _months_on(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, 28))


def _child_protection_problems(journey: Journey, start: date, today: date) -> list[str]:
    who = f"{journey.child} (plan {start:%d/%m/%Y})"
    out: list[str] = []
    conferences = [s for s in journey.steps if s[1] == "child_protection_conference"]
    initial = [c for c in conferences if c[0] == start]
    if not initial:
        out.append(f"{who}: no initial child protection conference on the plan's start date")
    strategies = journey.on_or_before("strategy_discussion", start)
    if not strategies:
        return [*out, f"{who}: no strategy discussion before the plan"]
    strategy = strategies[-1]
    if "not met" in strategy[3].lower():
        out.append(f"{who}: the strategy discussion found the section 47 threshold not met")
    if working_days_between(strategy[0], start) > 15:
        out.append(f"{who}: the conference is more than 15 working days after the strategy discussion")
    if not [s for s in journey.on_or_before("assessment_completed", start) if s[0] >= strategy[0]]:
        out.append(f"{who}: no section 47 enquiry between the strategy discussion and the conference")
    if not journey.on_or_before("referral_to_csc", strategy[0]):
        out.append(f"{who}: no referral before the strategy discussion")
    due, months = _months_on(start, 3), 3
    reviews = [c[0] for c in conferences if c[0] > start]
    while due + GRACE <= today:
        if not [r for r in reviews if due - timedelta(days=31) <= r <= due + GRACE]:
            out.append(f"{who}: no review conference around {due:%d/%m/%Y}")
        months += 6
        due = _months_on(start, months)
    return out


def _plan_problems(plan: CarePlan, found: dict[int, Journey]) -> list[str]:
    out: list[str] = []
    first = plan.versions.order_by("number").first()
    agreement = getattr(first, "agreement", None) if first else None
    names = {p.name for p in plan.participants.all()}
    for child in plan.children.all():
        journey = found.get(child.pk) or Journey(child)
        if plan.plan_type == PlanType.CHILD_PROTECTION:
            if agreement is not None and agreement.method != AgreementMethod.CONFERENCE:
                out.append(f"{plan.reference}: a child protection plan not made at a conference")
            starts = [s for s in journey.steps if s[1] == "child_protection_conference" and s[0] == plan.started_on]
            if not starts:
                out.append(f"{plan.reference}: {child} has no conference on the plan's start date")
        if plan.plan_type == PlanType.CHILD_IN_NEED and not journey.on_or_before(
            "assessment_completed", plan.started_on
        ):
            out.append(f"{plan.reference}: {child}'s child in need plan has no assessment before it")
        for link in Relationship.objects.filter(child=child, parental_responsibility=True, adult__isnull=False):
            name = f"{link.adult.first_name} {link.adult.last_name}" if link.adult else ""
            if name not in names:
                out.append(
                    f"{plan.reference}: {name} ({link.get_kind_display()}) has parental responsibility "
                    "but is not in the plan"
                )
        if agreement is not None and agreement.agreed_on < plan.started_on:
            out.append(f"{plan.reference}: agreed before it started")
    return out


def problems(today: date | None = None) -> list[str]:
    """Every breach of the process in the seeded demo (empty when coherent)."""
    today = today or timezone.localdate()
    found = journeys()
    out: list[str] = []
    for journey in found.values():
        dob = journey.child.date_of_birth
        for day, code, _, _ in journey.steps:
            if day > today or (dob is not None and day < dob):
                out.append(f"{journey.child}: {code} on {day:%d/%m/%Y}, outside the child's life so far")
        for day, code, category, _ in journey.steps:
            if code == "plan_started" and category == PlanType.CHILD_PROTECTION:
                out += _child_protection_problems(journey, day, today)
    for plan in CarePlan.objects.prefetch_related("children", "participants"):
        out += _plan_problems(plan, found)
    return out


def counts() -> dict[str, int]:
    """How much the check covered: children with a child protection plan, and plans checked."""
    by_type: dict[str, int] = defaultdict(int)
    for journey in journeys().values():
        if any(s[1] == "plan_started" and s[2] == PlanType.CHILD_PROTECTION for s in journey.steps):
            by_type["child_protection_children"] += 1
    by_type["plans"] = CarePlan.objects.count()
    return dict(by_type)
