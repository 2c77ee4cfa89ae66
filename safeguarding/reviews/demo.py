"""Demo case reviews for `seed_demo`: one at every stage, built through the same services as the pages
and dated in the past with their `at` argument. The featured Whitlock brothers appear as "Child A" and
"Child B" in a local child safeguarding practice review (the 2018 regime) about persistent neglect with five
recommendations; "Child R" is a serious case review decided by the LSCB in 2017 (the 2006 regime) and
published in 2018 (all details fictional).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.children.demo.featured import whitlock_dates
from safeguarding.children.models import Child
from safeguarding.core.calendar import add_working_days
from safeguarding.core.demo import DemoContext
from safeguarding.reviews import services
from safeguarding.reviews.defaults import install_themes
from safeguarding.reviews.enums import (
    Harm,
    MemberRole,
    Recommendation,
    RecommendationStatus,
    RequestKind,
    ReviewKind,
    Stage,
)
from safeguarding.reviews.models import Review, Theme

ORDER = [
    Stage.NOTIFIED,
    Stage.RAPID_REVIEW,
    Stage.DECISION,
    Stage.IN_PROGRESS,
    Stage.DRAFT,
    Stage.WITH_FAMILY,
    Stage.FINAL,
    Stage.PUBLISHED,
]

# (days before the local authority became aware, child, event type, details): fictional.
WHITLOCK_CHRONOLOGIES = {
    "health": [
        (300, "Mason Whitlock", "Was not brought", "Mason was not brought to his developmental review."),
        (150, "Mason Whitlock", "Home visit", "Home cluttered and cold; Kayleigh Whitlock said money was short."),
    ],
    "school": [
        (320, "Tyler Whitlock", "Concern", "Tyler arrived hungry and in the same clothes all week."),
        (200, "Tyler Whitlock", "Concern", "Tyler said Dean shouted at Mum and he hid with Mason."),
    ],
    "police": [
        (140, "Tyler Whitlock", "Domestic abuse incident", "Call-out to the home: Kayleigh and Dean Marsh arguing."),
    ],
}

# Each recommendation with the kind of agency it is addressed to (None: the partnership).
RECOMMENDATIONS = [
    (
        "The partnership should issue neglect practice guidance that asks practitioners to look at the whole picture.",
        None,
    ),
    ("Health services should treat repeated 'was not brought' appointments as a safeguarding concern.", "health"),
    (
        "Schools should share concerns about hunger and hygiene with the health visitor when siblings are under five.",
        "school",
    ),
    ("Early help should not close a case for non-engagement without a multi-agency discussion of the risks.", None),
    (
        "Police should tell children's social care and schools after each domestic abuse call-out where children live.",
        "police",
    ),
]

FINDINGS = [
    ("No agency saw the whole picture of neglect.", ["neglect", "information-sharing"]),
    ("Early help closed for non-engagement while concerns continued.", ["thresholds", "escalation"]),
    ("The children's lived experience was not recorded.", ["professional-curiosity", "voice-of-the-child"]),
    ("Supervision did not test the drift in the plan.", ["management-oversight"]),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


def _lead(agency: Agency) -> User | None:
    m = Membership.objects.filter(agency=agency, role=Role.SAFEGUARDING_LEAD, is_active=True).select_related("user")
    first = m.order_by("pk").first()
    return first.user if first else None


def _csv(rows: list[tuple[int, str, str, str]], aware: date) -> bytes:
    lines = ["Date,Child name,Event type,Details"] + [
        f'"{aware - timedelta(days=days):%d/%m/%Y}","{child}","{kind}","{text}"' for days, child, kind, text in rows
    ]
    return "\n".join(lines).encode()


def _advance(
    review: Review,
    target: Stage,
    *,
    bu: User,
    reviewer: User,
    start: date,
    agencies: list[Agency],
    whitlock: bool = False,
) -> None:
    """Take `review` (just notified, aware on `start`) through the stages up to `target`."""
    if target == Stage.NOTIFIED:
        return
    sent = add_working_days(start, 2)
    _notify_and_ask_agencies(review, bu=bu, sent=sent, agencies=agencies, submit=target != Stage.RAPID_REVIEW)
    if target == Stage.RAPID_REVIEW:
        return
    done = _hold_rapid_review(review, bu=bu, sent=sent)
    if target == Stage.DECISION:
        return
    decided = add_working_days(done, 2)
    _decide_and_scope(review, bu=bu, reviewer=reviewer, decided=decided)
    if whitlock:
        _gather_chronologies(review, bu=bu, decided=decided, start=start, agencies=agencies)
    if target == Stage.IN_PROGRESS:
        return
    event_day = decided + timedelta(days=30)
    _draft_report(review, bu=bu, reviewer=reviewer, event_day=event_day, agencies=agencies)
    if target == Stage.DRAFT:
        return
    shared = event_day + timedelta(days=20)
    _share_with_family(review, bu=bu, reviewer=reviewer, shared=shared, report_shared=target != Stage.WITH_FAMILY)
    if target == Stage.WITH_FAMILY:
        return
    services.finalise_report(actor=bu, review=review, version=review.version, at=_at(shared + timedelta(days=7)))
    services.record_sent_dates(
        actor=bu,
        review=review,
        sent_to_panel_on=shared + timedelta(days=10),
        sent_to_secretary_of_state_on=shared + timedelta(days=10),
    )
    if target == Stage.FINAL:
        return
    published = shared + timedelta(days=30)
    # The file to be published, checked for identifying details (nothing found: pseudonyms only).
    services.upload_publication_report(actor=bu, review=review, upload=_published_report(review), at=_at(published))
    services.publish_review(actor=bu, review=review, version=review.version, published_on=published, at=_at(published))


def _notify_and_ask_agencies(review: Review, *, bu: User, sent: date, agencies: list[Agency], submit: bool) -> None:
    """The notification sent; two agencies asked for a summary, answered by their leads when `submit`."""
    services.record_notification_sent(actor=bu, review=review, version=review.version, sent_on=sent, at=_at(sent))
    for agency in agencies[:2]:
        request = services.request_from_agency(
            actor=bu, review=review, agency=agency, kind=RequestKind.AGENCY_SUMMARY, at=_at(sent)
        )
        lead = _lead(agency)
        if lead is not None and submit:
            services.submit_to_request(
                actor=lead,
                request=request,
                involvement=f"{agency.name} worked with the family over the period under review.",
                learning="Concerns were recorded but not shared promptly.",
                at=_at(add_working_days(sent, 8)),
            )


def _hold_rapid_review(review: Review, *, bu: User, sent: date) -> date:
    """The panel meets, every statutory partner signs off, the rapid review is sent; returns that day."""
    panel_day = add_working_days(sent, 11)
    services.record_panel_meeting(
        actor=bu,
        review=review,
        met_on=panel_day,
        attendance="Police, children's social care, the integrated care board, health, school, business unit.",
        summary="Agencies held pieces of a picture of persistent neglect that nobody put together.",
        recommendation=Recommendation.LCSPR,
        reasons="The case may highlight improvements needed to safeguard children.",
        at=_at(panel_day),
    )
    for partner in Agency.objects.filter(partner_status=PartnerStatus.STATUTORY).order_by("name"):
        services.sign_off_rapid_review(
            actor=bu,
            review=review,
            agency=partner,
            signed_by_name=f"Delegated partner, {partner.name}",
            signed_on=panel_day,
            at=_at(panel_day),
        )
    # Sent on working day 14 from awareness (the notification went on day 2): on time by the statutory clock.
    done = add_working_days(sent, 12)
    services.send_rapid_review(actor=bu, review=review, version=review.version, sent_on=done, at=_at(done))
    return done


def _decide_and_scope(review: Review, *, bu: User, reviewer: User, decided: date) -> None:
    """A local practice review decided on, the independent reviewer added, the terms of reference set."""
    services.decide_practice_review(
        actor=bu, review=review, version=review.version, kind=ReviewKind.LCSPR, decided_on=decided, at=_at(decided)
    )
    services.add_member(actor=bu, review=review, user=reviewer, role=MemberRole.REVIEWER, at=_at(decided))
    services.update_terms_of_reference(
        actor=bu,
        review=review,
        terms_of_reference="Period under review: the two years before the incident. Agencies: all involved.",
        key_lines_of_enquiry="How did agencies recognise neglect?\nHow were concerns shared and escalated?",
    )


def _gather_chronologies(review: Review, *, bu: User, decided: date, start: date, agencies: list[Agency]) -> None:
    """The featured review: health, school and police each send their chronology as a CSV file."""
    for key, agency in zip(("health", "school", "police"), agencies, strict=False):
        request = services.request_from_agency(
            actor=bu, review=review, agency=agency, kind=RequestKind.CHRONOLOGY, at=_at(decided)
        )
        lead = _lead(agency)
        if lead is not None:
            services.submit_to_request(
                actor=lead,
                request=request,
                involvement=f"{agency.name}'s chronology for the period under review.",
                upload=services.Upload(f"{key}.csv", _csv(WHITLOCK_CHRONOLOGIES[key], start), "text/csv"),
                at=_at(decided + timedelta(days=14)),
            )


def _draft_report(review: Review, *, bu: User, reviewer: User, event_day: date, agencies: list[Agency]) -> None:
    """The practitioner event, the first draft, and the draft's findings and recommendations."""
    services.add_practitioner_event(
        actor=bu, review=review, held_on=event_day, attendance="Practitioners from six agencies.", notes="Recorded."
    )
    services.upload_report_draft(
        actor=reviewer,
        review=review,
        upload=services.Upload("draft-1.txt", b"Draft report (fictional demo text).", "text/plain"),
        note="First draft",
        at=_at(event_day + timedelta(days=14)),
    )
    services.move_to_draft(actor=bu, review=review, version=review.version, at=_at(event_day + timedelta(days=14)))
    themes = {t.code: t for t in Theme.objects.all()}
    for title, codes in FINDINGS:
        services.add_finding(
            actor=reviewer,
            review=review,
            title=title,
            text="The agencies' chronologies show this over the period under review.",
            themes=[themes[c] for c in codes if c in themes],
            at=_at(event_day + timedelta(days=15)),
        )
    by_kind = {a.kind: a for a in agencies}
    for text, kind in RECOMMENDATIONS:
        services.add_recommendation(
            actor=reviewer,
            review=review,
            text=text,
            addressee=by_kind.get(kind) if kind else None,
            status=RecommendationStatus.DRAFT,
            at=_at(event_day + timedelta(days=15)),
        )


def _share_with_family(review: Review, *, bu: User, reviewer: User, shared: date, report_shared: bool) -> None:
    services.share_with_family(actor=bu, review=review, version=review.version, at=_at(shared))
    services.add_family_contact(
        actor=reviewer,
        review=review,
        who="Mother of Child A and Child B",
        met_on=shared,
        report_shared_on=shared if report_shared else None,
        notes="Met at home with an advocate.",
    )


def seed_reviews(ctx: DemoContext) -> None:
    if Review.objects.exists():
        return
    install_themes()
    bu, reviewer = _user("business.unit"), _user("reviewer")
    if bu is None or reviewer is None:
        return
    today = timezone.localdate()
    featured_agencies = _featured_agencies()
    others = list(Child.objects.exclude(last_name="Whitlock").order_by("pk")[:20])
    _one_at_each_stage(today, others, bu=bu, reviewer=reviewer, agencies=featured_agencies)
    _whitlock_review(today, bu=bu, reviewer=reviewer, agencies=featured_agencies)
    if len(others) >= 18:
        _closed_and_legacy(today, others, bu=bu, reviewer=reviewer, agencies=featured_agencies)
    ctx.log(f"Case reviews: {Review.objects.count()}")


def _featured_agencies() -> list[Agency]:
    """Community health, the featured school and the police: the agencies the reviews ask."""
    agencies = list(
        Agency.objects.filter(
            kind__in=[AgencyKind.HEALTH, AgencyKind.SCHOOL, AgencyKind.POLICE],
            memberships__role=Role.SAFEGUARDING_LEAD,
        )
        .distinct()
        .order_by("kind", "name")
    )
    health = next((a for a in agencies if a.kind == AgencyKind.HEALTH and "Community" in a.name), None)
    school = Agency.objects.filter(memberships__user__username="dsl.school").first()
    police = next((a for a in agencies if a.kind == AgencyKind.POLICE), None)
    return [a for a in (health, school, police) if a is not None]


def _one_at_each_stage(today: date, others: list[Child], *, bu: User, reviewer: User, agencies: list[Agency]) -> None:
    """A review at each stage, two other children each (Child C, Child D, ...)."""
    # How long ago each stage's case began (days), so every clock lands where the stage says.
    ages = {
        Stage.NOTIFIED: 3,
        Stage.RAPID_REVIEW: 12,
        Stage.DECISION: 30,
        Stage.IN_PROGRESS: 80,
        Stage.DRAFT: 110,
        Stage.FINAL: 140,
        Stage.PUBLISHED: 200,
    }
    for index, (stage, age) in enumerate(ages.items()):
        if len(others) < 2 * index + 2:
            break
        aware = today - timedelta(days=age)
        pair = others[2 * index : 2 * index + 2]
        review = services.notify_serious_incident(
            actor=bu,
            incident_on=aware - timedelta(days=1),
            aware_on=aware,
            harm=Harm.SERIOUS_HARM if index % 2 else Harm.DEATH,
            summary="A fictional serious incident for the demo.",
            children=[services.ChildInput(c, f"Child {chr(ord('C') + 2 * index + n)}") for n, c in enumerate(pair)],
            at=_at(aware + timedelta(days=1)),
        )
        _advance(review, stage, bu=bu, reviewer=reviewer, start=aware, agencies=agencies)


def _whitlock_review(today: date, *, bu: User, reviewer: User, agencies: list[Agency]) -> None:
    """The featured brothers as Child A and Child B, with the family."""
    brothers = list(Child.objects.filter(last_name="Whitlock").order_by("-date_of_birth"))
    if len(brothers) < 2:
        return
    # The injury's date is the chronology's; the local authority learned that abuse or neglect was
    # suspected at the strategy discussion.
    dates = whitlock_dates(today)
    aware = dates.strategy_discussion
    review = services.notify_serious_incident(
        actor=bu,
        incident_on=dates.injury,
        aware_on=aware,
        harm=Harm.SERIOUS_HARM,
        summary="Child B (aged 2) was taken to hospital with a head injury; a picture of persistent neglect of "
        "both brothers emerged.",
        children=[services.ChildInput(brothers[0], "Child B"), services.ChildInput(brothers[1], "Child A")],
        title="Child A and Child B",
        at=_at(aware + timedelta(days=1)),
    )
    _advance(review, Stage.WITH_FAMILY, bu=bu, reviewer=reviewer, start=aware, agencies=agencies, whitlock=True)


def _closed_and_legacy(today: date, others: list[Child], *, bu: User, reviewer: User, agencies: list[Agency]) -> None:
    """A closed case (no further review) and a legacy serious case review."""
    aware = today - timedelta(days=60)
    review = services.notify_serious_incident(
        actor=bu,
        incident_on=aware,
        aware_on=aware,
        harm=Harm.SERIOUS_HARM,
        summary="A fictional incident where the rapid review found no further learning.",
        children=[services.ChildInput(others[16], "Child Q")],
        at=_at(aware + timedelta(days=1)),
    )
    _advance(review, Stage.DECISION, bu=bu, reviewer=reviewer, start=aware, agencies=agencies)
    services.close_at_decision(
        actor=bu,
        review=review,
        version=review.version,
        decision=Recommendation.NO_FURTHER_REVIEW,
        reason="Learning already captured by a recent review.",
        at=_at(aware + timedelta(days=35)),
    )
    _serious_case_review(others[17], bu=bu, reviewer=reviewer)


# The serious case review of 2017 (fictional): decided by the LSCB under regulation 5 of the LSCB
# Regulations 2006, no rapid review, Working Together 2015; published in 2018; its action plan still runs.
SCR_DECIDED = date(2017, 11, 6)
SCR_RECOMMENDATIONS = [
    "The LSCB should issue multi-agency guidance on recognising and responding to bruising in non-mobile babies.",
    "Health services should make sure that every health visitor's contact records who else lives in the home.",
    "Children's social care should hold a multi-agency strategy discussion for every referral about a baby.",
]
SCR_FINDINGS = [
    ("Bruising on a baby who could not move was seen as accidental.", ["professional-curiosity"]),
    ("Nobody asked who the adults in the household were.", ["information-sharing"]),
]


def _serious_case_review(child: Child, *, bu: User, reviewer: User) -> None:
    """A pre-2018 serious case review (Child R), taken from the LSCB's decision to publication."""
    review = services.open_legacy_review(
        actor=bu,
        title="Child R (serious case review, 2017)",
        decided_on=SCR_DECIDED,
        children=[services.ChildInput(child, "Child R")],
        at=_at(SCR_DECIDED),
    )
    services.add_member(actor=bu, review=review, user=reviewer, role=MemberRole.REVIEWER, at=_at(SCR_DECIDED))
    services.update_terms_of_reference(
        actor=bu,
        review=review,
        terms_of_reference="Period under review: Child R's birth to the injury (eight months). Agencies: health, "
        "children's social care, police, the GP practice.",
        key_lines_of_enquiry="How did agencies respond to bruising on a non-mobile baby?\n"
        "What did agencies know about the adults in the household?",
    )
    services.add_practitioner_event(
        actor=bu, review=review, held_on=date(2018, 1, 23), attendance="Practitioners from five agencies."
    )
    services.upload_report_draft(
        actor=reviewer,
        review=review,
        upload=services.Upload("scr-draft-1.txt", b"Overview report (fictional demo text).", "text/plain"),
        note="First draft of the overview report",
        at=_at(date(2018, 3, 2)),
    )
    services.move_to_draft(actor=bu, review=review, version=review.version, at=_at(date(2018, 3, 2)))
    themes = {t.code: t for t in Theme.objects.all()}
    for title, codes in SCR_FINDINGS:
        services.add_finding(
            actor=reviewer,
            review=review,
            title=title,
            text="The agency reports show this over the period under review.",
            themes=[themes[c] for c in codes if c in themes],
            at=_at(date(2018, 3, 5)),
        )
    for text in SCR_RECOMMENDATIONS:
        services.add_recommendation(
            actor=reviewer, review=review, text=text, status=RecommendationStatus.AGREED, at=_at(date(2018, 3, 5))
        )
    _share_with_family(review, bu=bu, reviewer=reviewer, shared=date(2018, 4, 10), report_shared=True)
    services.finalise_report(actor=bu, review=review, version=review.version, at=_at(date(2018, 4, 24)))
    services.record_sent_dates(
        actor=bu, review=review, sent_to_panel_on=date(2018, 4, 30), sent_to_secretary_of_state_on=date(2018, 4, 30)
    )
    services.upload_publication_report(
        actor=bu, review=review, upload=_published_report(review), at=_at(date(2018, 5, 17))
    )
    services.publish_review(
        actor=bu, review=review, version=review.version, published_on=date(2018, 5, 17), at=_at(date(2018, 5, 17))
    )


def _published_report(review: Review) -> services.Upload:
    """A short synthetic report, as a Word file, naming the children by pseudonym only."""
    import io

    import docx

    document = docx.Document()
    document.add_heading(f"Local child safeguarding practice review: {review.title}", 0)
    document.add_paragraph("Agencies each held part of the picture of neglect; no one saw it whole.")
    buffer = io.BytesIO()
    document.save(buffer)
    return services.Upload(f"{review.reference}.docx", buffer.getvalue())
