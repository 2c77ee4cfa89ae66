"""Lighter chronologies for every other child: a few entries from each agency involved, in the
kind of thing that agency records."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from safeguarding.agencies.enums import AgencyKind
from safeguarding.children.demo.plans import CIN_SERVICE, CP_SERVICE
from safeguarding.children.models import Involvement
from safeguarding.chronology.demo.writer import Planned, Writer
from safeguarding.core.calendar import add_working_days


@dataclass(frozen=True)
class Pattern:
    """What an agency of this kind records about a child: (type, category, summary, action)."""

    entries: tuple[tuple[str, str, str, str], ...]


PATTERNS: dict[str, Pattern] = {
    AgencyKind.HEALTH: Pattern(
        (
            ("health_visitor_contact", "", "Routine developmental review at home.", "Next review as scheduled."),
            ("health_appointment_attended", "", "Brought to clinic; weight and growth checked.", "None needed."),
            ("was_not_brought", "", "Not brought to the planned appointment.", "Letter offering another date."),
            ("concern_raised", "home_conditions", "Home cluttered and cold at the visit.", "Advice given."),
        )
    ),
    AgencyKind.GP: Pattern(
        (
            ("gp_consultation", "", "Seen with a chest infection; antibiotics prescribed.", "Review if no better."),
            ("gp_consultation", "", "Immunisations given.", "None needed."),
            ("was_not_brought", "", "Not brought to the immunisation appointment.", "Practice nurse to call."),
        )
    ),
    AgencyKind.SCHOOL: Pattern(
        (
            ("school_attendance", "", "Attendance for the term.", ""),
            ("school_absence", "", "Two days' unexplained absence.", "First-day call made."),
            ("concern_raised", "hygiene", "Came to school in unwashed clothes.", "Spare uniform; DSL told."),
            ("exclusion", "", "One-day suspension after a fight in the playground.", "Reintegration meeting."),
        )
    ),
    AgencyKind.EARLY_YEARS: Pattern(
        (
            ("concern_raised", "neglect", "Often collected late and hungry.", "Key worker spoke to the parent."),
            ("school_absence", "", "Absent for a week with no explanation.", "Calls to the parent."),
        )
    ),
    AgencyKind.POLICE: Pattern(
        (
            (
                "police_domestic_abuse_incident",
                "",
                "Verbal argument between the adults; children present.",
                "DASH risk assessment; notification to social care.",
            ),
            ("police_attendance", "", "Attended a report of a disturbance at the address.", "Words of advice."),
            ("missing_episode", "", "Reported missing overnight; found at a friend's house.", "Return interview."),
        )
    ),
    # Children's social care: visits only; the statutory steps come from `social_care_journey`.
    AgencyKind.CHILDRENS_SOCIAL_CARE: Pattern(
        (("home_visit", "", "Statutory visit; the child seen alone.", "Shared with the child's plan."),)
    ),
    AgencyKind.EARLY_HELP: Pattern(
        (
            ("early_help_opened", "", "Early help assessment agreed with the family.", "Family worker allocated."),
            ("home_visit", "", "Family support session at home.", "Next session booked."),
            ("early_help_closed", "", "Early help closed: the plan's goals were met.", "Closure letter sent."),
        )
    ),
    AgencyKind.HOUSING: Pattern(
        (
            ("housing_complaint", "", "Tenant reported damp and mould in the children's bedroom.", "Repair raised."),
            ("home_visit", "", "Tenancy visit; rent arrears discussed.", "Referral for debt advice."),
        )
    ),
    AgencyKind.MENTAL_HEALTH: Pattern(
        (("concern_raised", "parental_mental_health", "Parent's mental health has worsened.", "Care plan reviewed."),)
    ),
}
DEFAULT_PATTERN = Pattern((("home_visit", "", "Contact with the family.", "None needed."),))


def plan_others(writer: Writer, today: date, rng: random.Random, *, exclude: set[int], limit: int | None) -> None:
    """Two to five entries from each agency involved with each other child, inside the involvement."""
    involvements = Involvement.objects.exclude(child_id__in=exclude).select_related("agency").order_by("pk")
    if limit is not None:
        involvements = involvements[:limit]
    for involvement in involvements:
        agency = involvement.agency
        pattern = PATTERNS.get(agency.kind, DEFAULT_PATTERN)
        end = min(involvement.end or today, today)
        span = (end - involvement.start).days
        if span < 0:
            continue
        if agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE:
            for planned in social_care_journey(involvement, today):
                writer.add(planned)
        restricted = tuple(involvement.restricted_roles) if involvement.is_restricted else None
        for _ in range(rng.randint(2, 5)):
            type_code, category, summary, action = rng.choice(pattern.entries)
            value = Decimal(rng.randint(700, 1000)) / 10 if type_code == "school_attendance" else None
            writer.add(
                Planned(
                    agency.code,
                    type_code,
                    involvement.start + timedelta(days=rng.randint(0, span)),
                    summary,
                    (involvement.child_id,),
                    action=action,
                    category=category,
                    value=value,
                    restricted_to=restricted,
                )
            )


def _months_on(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, 28))


def social_care_journey(involvement: Involvement, today: date) -> list[Planned]:
    """The statutory steps, in order, from the involvement's start (the referral): for a child in need,
    the decision, the assessment within 45 working days and the plan; for a child protection plan, a
    strategy discussion the next working day that finds the section 47 threshold met, the enquiry, the
    initial conference within 15 working days of the strategy discussion (where the plan is made),
    and review conferences three months on, then every six months. Steps after today are left out."""
    start, code, child = involvement.start, involvement.agency.code, (involvement.child_id,)

    def step(type_code: str, on: date, summary: str, action: str = "", category: str = "") -> Planned:
        return Planned(code, type_code, on, summary, child, action=action, category=category)

    steps = [step("referral_to_csc", start, "Referral received from a partner agency.", "Screened the same day.")]
    if involvement.service.startswith(CP_SERVICE):
        category = involvement.service.removeprefix(CP_SERVICE)
        strategy = add_working_days(start, 1)
        conference = add_working_days(strategy, 14)
        steps += [
            step(
                "referral_outcome",
                start,
                "Referral screened: strategy discussion needed.",
                category="strategy_discussion",
            ),
            step(
                "strategy_discussion",
                strategy,
                "Strategy discussion with police and health: threshold for section 47 enquiries met.",
                "Section 47 enquiry.",
            ),
            step(
                "assessment_completed",
                add_working_days(strategy, 9),
                "Section 47 enquiry completed: concerns substantiated.",
                "Initial child protection conference requested.",
            ),
            step(
                "child_protection_conference",
                conference,
                f"Initial child protection conference: child protection plan (category: {category}).",
                "Core group within 10 working days; review conference in three months.",
            ),
            step(
                "plan_started",
                conference,
                f"Child protection plan started (category: {category}).",
                category="child_protection",
            ),
        ]
        review, months = _months_on(conference, 3), 3
        while review <= today:
            steps.append(
                step(
                    "child_protection_conference",
                    review,
                    "Review child protection conference: the plan continues.",
                    "Next review conference in six months.",
                )
            )
            months += 6
            review = _months_on(conference, months)
    elif involvement.service == CIN_SERVICE:
        steps += [
            step(
                "referral_outcome",
                add_working_days(start, 1),
                "Decision: child and family assessment.",
                "Social worker allocated.",
                category="assessment",
            ),
            step(
                "assessment_completed",
                add_working_days(start, 35),
                "Child and family assessment completed: the child is in need (section 17).",
                "Child in need plan; reviewed every three months.",
            ),
        ]
    return [s for s in steps if s.when <= today]
