"""Demo alerts (`manage.py seed_demo`, after the chronologies): a few synthetic children whose
histories should raise each default rule (one each: e.g. Ezra, not seen for over a year, the gap rule,
which ships switched off: its preview finds him),
and some whose histories come close but should not (e.g. Esme, seen exactly six months apart),
recorded through `chronology.services.record_event` like any page would; then a full scan, which
also finds what the default rules see in the rest of the demo chronologies (the Whitlock brothers).
All names are fictional.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import Agency, Membership
from safeguarding.children.enums import RelationshipKind
from safeguarding.children.models import Adult, Child, Involvement, Relationship
from safeguarding.children.services import add_involvement
from safeguarding.chronology import services as chronology
from safeguarding.chronology.models import EventType
from safeguarding.concerns import notifications
from safeguarding.concerns.defaults import PREVIEW_FIRST, install_defaults
from safeguarding.concerns.models import Alert, Rule
from safeguarding.concerns.scan import full_scan, preview
from safeguarding.core.demo import DemoContext

SURNAME = "Alder-Demo"

# (first name, expected rule or None, [(days ago, agency kind, type code, category, value, summary)])
Step = tuple[int, str, str, str, Decimal | None, str]
HISTORIES: list[tuple[str, str | None, list[Step]]] = [
    (
        "Ava",
        "repeated-was-not-brought",
        [
            (300, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the 2-year developmental review."),
            (200, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the rearranged review."),
            (60, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the audiology appointment."),
        ],
    ),
    (
        "Leo",
        None,  # two misses in a year, the third fourteen months later: no alert
        [
            (700, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the dental check."),
            (600, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the eye test."),
            (150, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the dental check."),
        ],
    ),
    (
        "Isla",
        "neglect-several-agencies",
        [
            (160, AgencyKind.SCHOOL, "school_absence", "", None, "Absent for four days with no explanation."),
            (120, AgencyKind.HOUSING, "housing_complaint", "", None, "Neighbours reported rubbish piling up."),
            (90, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the immunisation appointment."),
        ],
    ),
    (
        "Finn",
        "start-again",
        [
            (
                250,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "referral_outcome",
                "nfa",
                None,
                "Referral closed: no further action.",
            ),
            (120, AgencyKind.SCHOOL, "concern_raised", "hygiene", None, "Came to school unwashed, in soiled clothes."),
        ],
    ),
    (
        "Noah",
        None,  # the new concern came more than a year after the NFA: no alert
        [
            (
                500,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "referral_outcome",
                "nfa",
                None,
                "Referral closed: no further action.",
            ),
            (100, AgencyKind.SCHOOL, "concern_raised", "neglect", None, "Lunch box empty again this week."),
        ],
    ),
    (
        "Ruby",
        "closed-non-engagement-concerns-continue",
        [
            (
                150,
                AgencyKind.EARLY_HELP,
                "early_help_closed_non_engagement",
                "",
                None,
                "Closed: family did not engage.",
            ),
            (80, AgencyKind.SCHOOL, "concern_raised", "neglect", None, "Ruby said there was no food at home."),
        ],
    ),
    (
        "Theo",
        "wnb-during-cp-plan",
        [
            # The plan made at an initial conference after a strategy discussion and a section 47
            # enquiry, and reviewed three months on, as the process has it.
            (220, AgencyKind.CHILDRENS_SOCIAL_CARE, "referral_to_csc", "", None, "Referral from the school."),
            (
                218,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "strategy_discussion",
                "",
                None,
                "Strategy discussion: threshold for section 47 enquiries met.",
            ),
            (
                210,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "assessment_completed",
                "",
                None,
                "Section 47 enquiry completed: concerns substantiated.",
            ),
            (
                200,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "child_protection_conference",
                "",
                None,
                "Initial child protection conference: child protection plan.",
            ),
            (
                200,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "plan_started",
                "child_protection",
                None,
                "Child protection plan made.",
            ),
            (
                109,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "child_protection_conference",
                "",
                None,
                "Review child protection conference: the plan continues.",
            ),
            (100, AgencyKind.HEALTH, "was_not_brought", "", None, "Not brought to the paediatric appointment."),
        ],
    ),
    (
        "Mia",
        "low-school-attendance",
        [(40, AgencyKind.SCHOOL, "school_attendance", "", Decimal("82.50"), "Autumn term attendance 82.5%.")],
    ),
    (
        "Maya",
        None,  # attendance 93%: no alert
        [(40, AgencyKind.SCHOOL, "school_attendance", "", Decimal("93.00"), "Autumn term attendance 93%.")],
    ),
    (
        "Oscar",
        "repeated-domestic-abuse-callouts",
        [
            (330, AgencyKind.POLICE, "police_domestic_abuse_incident", "", None, "Call-out: shouting, a door broken."),
            (210, AgencyKind.POLICE, "police_domestic_abuse_incident", "", None, "Call-out: mother with a cut lip."),
            (
                30,
                AgencyKind.POLICE,
                "police_domestic_abuse_incident",
                "",
                None,
                "Call-out: neighbours heard screaming.",
            ),
        ],
    ),
    (
        "Poppy",
        "objective-overdue-concerns-continue",
        [
            (
                90,
                AgencyKind.CHILDRENS_SOCIAL_CARE,
                "plan_objective_overdue",
                "",
                None,
                "Objective overdue: home safety.",
            ),
            (50, AgencyKind.SCHOOL, "concern_raised", "neglect", None, "Poppy was hungry and tired all week."),
        ],
    ),
    (
        "Ezra",
        "long-gap-no-contact",  # last seen 400 days ago; a no-access visit since does not count as seeing him
        [
            (460, AgencyKind.HEALTH, "health_visitor_contact", "", None, "Health visitor saw Ezra at home."),
            (400, AgencyKind.EARLY_HELP, "home_visit", "", None, "Family support worker visited; Ezra seen."),
            (150, AgencyKind.HEALTH, "no_access_visit", "", None, "Health visitor called; nobody answered."),
        ],
    ),
    (
        "Esme",
        None,  # seen 183 days apart (exactly six months: not a gap), then 177 days apart, then 40 days ago
        [
            (400, AgencyKind.HEALTH, "health_visitor_contact", "", None, "Health visitor saw Esme at home."),
            (217, AgencyKind.HEALTH, "gp_consultation", "", None, "GP saw Esme for a chest infection."),
            (40, AgencyKind.SCHOOL, "school_attendance", "", Decimal("96.00"), "Autumn term attendance 96%."),
        ],
    ),
]


def _practitioner(agency: Agency) -> Any:
    membership = (
        Membership.objects.filter(agency=agency, is_active=True, role=Role.PRACTITIONER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _usable(type_code: str, category: str, types: dict[str, EventType]) -> bool:
    event_type = types.get(type_code)
    return event_type is not None and (not category or category in event_type.category_codes)


def demo_previews() -> dict[str, set[str]]:
    """{first name: the codes of the rules shipped switched off (PREVIEW_FIRST) whose preview finds
    the child} for the children this step makes: what the business unit sees before switching on."""
    children = dict(Child.objects.filter(last_name=SURNAME).values_list("pk", "first_name"))
    out: dict[str, set[str]] = {name: set() for name in children.values()}
    for rule in Rule.objects.filter(code__in=PREVIEW_FIRST, is_active=False):
        for child_id in preview(rule, limit_children=list(children)):
            out[children[child_id]].add(rule.code)
    return out


def seed_concerns(ctx: DemoContext) -> None:
    install_defaults()
    today = timezone.localdate()
    types = {t.code: t for t in EventType.objects.active()}
    agencies: dict[str, Agency] = {}
    for kind in {step[1] for _, _, steps in HISTORIES for step in steps}:
        agency = Agency.objects.filter(kind=kind, is_active=True).order_by("pk").first()
        if agency is not None and _practitioner(agency) is not None:
            agencies[kind] = agency
    expected: dict[str, str | None] = {}
    with notifications.muted():
        for first_name, rule_code, steps in HISTORIES:
            if Child.objects.filter(first_name=first_name, last_name=SURNAME).exists():
                expected[first_name] = rule_code
                continue
            if any(kind not in agencies or not _usable(code, cat, types) for _, kind, code, cat, _, _ in steps):
                ctx.log(f"  Demo child {first_name} {SURNAME} skipped: this vocabulary lacks a type or category.")
                continue
            expected[first_name] = rule_code
            _record_history(first_name, steps, today, agencies, types)
        outcome = full_scan()
    fired = sorted(set(Alert.objects.values_list("rule__code", flat=True)))
    silent = sorted(set(Rule.objects.active().values_list("code", flat=True)) - set(fired))
    ctx.log(f"  Concern scan: {len(outcome.raised):,} alerts raised over {outcome.children:,} children.")
    ctx.log(f"  Default rules that fire on the demo data: {', '.join(fired) or 'none'}.")
    if silent:
        ctx.log(f"  Rules with no alert on the demo data: {', '.join(silent)}.")
    off = set(Rule.objects.filter(code__in=PREVIEW_FIRST, is_active=False).values_list("code", flat=True))
    if off:
        ctx.log(f"  Shipped switched off, to be previewed first: {', '.join(sorted(off))}.")
    got = {name: codes | demo_previews().get(name, set()) for name, codes in demo_alerts().items()}
    unexpected = [
        f"{name} ({', '.join(sorted(codes)) or 'none'})"
        for name, codes in got.items()
        if name in expected and codes != ({expected[name]} if expected[name] else set())
    ]
    if unexpected:
        ctx.log(f"  Demo children whose alerts differ from their history's purpose: {'; '.join(unexpected)}.")


def demo_alerts() -> dict[str, set[str]]:
    """{first name: the codes of the rules raised} for the children this step makes."""
    out: dict[str, set[str]] = {c.first_name: set() for c in Child.objects.filter(last_name=SURNAME)}
    rows = Alert.objects.filter(child__last_name=SURNAME).values_list("child__first_name", "rule__code")
    for name, code in rows:
        out[name].add(code)
    return out


@transaction.atomic
def _record_history(
    first_name: str, steps: list[Step], today: date, agencies: dict[str, Agency], types: dict[str, EventType]
) -> None:
    child = Child.objects.create(first_name=first_name, last_name=SURNAME, date_of_birth=today - timedelta(days=2900))
    # Like every demo child, each has a mother recorded (one synthetic mother per child).
    mother = Adult.objects.create(first_name="Jo", last_name=SURNAME, date_of_birth=today - timedelta(days=11000))
    Relationship.objects.create(
        child=child, adult=mother, kind=RelationshipKind.MOTHER, parental_responsibility=True, lives_with_child=True
    )
    # Each agency in the history works with the child from its first entry (a decision made at the
    # front door in real life: recording alone never gives an agency sight of a child).
    for kind in dict.fromkeys(step[1] for step in steps):
        first_day = max(step[0] for step in steps if step[1] == kind)
        agency = agencies[kind]
        add_involvement(
            actor=_practitioner(agency), agency=agency, child=child, start=today - timedelta(days=first_day)
        )
    for days, kind, code, category, value, summary in steps:
        agency = agencies[kind]
        chronology.record_event(
            actor=_practitioner(agency),
            agency=agency,
            children=[child],
            event_type=types[code],
            occurred_on=today - timedelta(days=days),
            summary=summary,
            category=category,
            value=value,
        )
    # The first agency's practitioner is the lead professional.
    first = agencies[steps[0][1]]
    Involvement.objects.filter(child=child, agency=first).update(lead_professional=_practitioner(first))
