"""Demo committee reports for `seed_demo`, one per regime (`reviews.regime`), each generated once as PDF
and DOCX through the same services as the pages. All of it is fictional.

- The featured local child safeguarding practice review "Child A and Child B" (the safeguarding partners,
  SI 2018/789, Working Together 2023) with its action plan (made by the action plans demo, which runs first).
- The serious case review "Child R" decided by the LSCB in 2017 (the 2006 Regulations, Working Together
  2015), published in 2018; its action plan (made here: delivered in 2018–2019) and a report on it.

The issues section carries the sentences the figures give at seed time, so no typed count goes stale."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from safeguarding.actionplans import services as plan_services
from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus
from safeguarding.actionplans.models import ActionPlan
from safeguarding.agencies.models import User
from safeguarding.core.demo import DemoContext
from safeguarding.publishing import consistency, prefill, services
from safeguarding.publishing.models import CommitteeReport
from safeguarding.publishing.queries import plan_of
from safeguarding.reviews.models import Review

FEATURED_REVIEW = "Child A and Child B"

TEXT = {
    "executive_summary": (
        "In the year before the incident, six agencies each held part of a picture of persistent neglect of two "
        "brothers, Child A (aged 7) and Child B (aged 2). Nobody put the picture together until Child B was taken "
        "to hospital with a head injury.\n\n"
        "The local child safeguarding practice review found that concerns about hunger, missed health appointments "
        "and domestic abuse were recorded but not shared, and that early help closed the case for non-engagement "
        "while the concerns continued. It made five recommendations to the partnership and its agencies.\n\n"
        "This report sets out the partnership's action plan in response and the progress made so far. Section 3.6 "
        "sets out the actions that are behind schedule, why, and what is being done."
    ),
    "recommendations": (
        "That the committee notes the findings and the five recommendations of the review.\n"
        "That the committee accepts the partnership's action plan at Appendix A as its response to the review.\n"
        "That the committee asks the partnership to report progress on the overdue actions in six months."
    ),
    "commissioning": (
        "The local authority notified the national Child Safeguarding Practice Review Panel within five working "
        "days of becoming aware of the incident. The rapid review, completed within 15 working days, found that "
        "the case might highlight improvements needed to safeguard children, and the three safeguarding partners "
        "decided to commission a local child safeguarding practice review."
    ),
    "method": (
        "An independent reviewer led the review with a panel of senior managers from the agencies involved. "
        "Health, the school and the police provided chronologies of their involvement over the two years before "
        "the incident.\n\n"
        "Practitioners from six agencies took part in a learning event. The reviewer met the children's mother, "
        "with an advocate, and shared the draft report with her before it was finalised."
    ),
    "risks": (
        "The main risk is capacity: the health visiting service is short of staff, and the police records system "
        "change depends on the force's supplier. The case review subgroup reviews both each month and escalates to "
        "the safeguarding partners if either slips again."
    ),
    "issues_and_options": (
        "The committee may accept the action plan, or refer it back to the partnership with its questions."
    ),
    "reasons": (
        "The plan answers each of the review's recommendations with actions, a lead agency and officer, a due date "
        "and a measure of success. The case review subgroup tracks it monthly and will re-audit neglect cases in "
        "twelve months to check that the changes held."
    ),
    "consultation": (
        "The case review subgroup, the three safeguarding partners and the chairs of the education and health "
        "safeguarding forums agreed the plan. The children's mother was told about the recommendations."
    ),
    "policy_impact": (
        "The plan supports the partnership's priority on neglect and its multi-agency safeguarding arrangements, "
        "and the council's corporate priority that children grow up safe."
    ),
    "financial": "The actions are met from the agencies' existing budgets. The neglect training is funded by the "
    "partnership's training budget for 2026/27.",
    "financial_verified_by": "Priya Natarajan, Finance Business Partner (Children's Services)",
    "legal_verified_by": "Gareth Lloyd, Senior Solicitor (Children and Education)",
    "equality": (
        "Neglect affects children in families on low incomes disproportionately. The guidance will ask "
        "practitioners to separate poverty from neglect and to offer practical support."
    ),
    "equality_verified_by": "Amina Yusuf, Equality and Diversity Officer",
    "other": "Workforce: about 400 practitioners across the partnership will attend neglect training.",
    "other_verified_by": "Hannah Brooks, Partnership Manager",
    "appendices": "",
    "background_papers": "The partnership's published safeguarding arrangements, 2024",
}

# The serious case review of 2017 (reviews demo): decided by the LSCB, so no rapid review, no national
# Panel notification and no safeguarding partners in its commissioning; the 2006 Regulations and Working
# Together 2015 in its legal implications (prefilled from `reviews.regime`).
SCR_REVIEW = "Child R (serious case review, 2017)"
SCR_TEXT = {
    "executive_summary": (
        "In 2017 an eight-month-old baby, Child R, was found to have serious injuries. Bruising had been seen "
        "twice before by professionals and explained as accidental.\n\n"
        "The Local Safeguarding Children Board (LSCB) commissioned a serious case review, published in 2018. This "
        "report tells the committee how the partnership, which took over the LSCB's work, has delivered the "
        "action plan answering its three recommendations, and how it checked that the changes held."
    ),
    "method": (
        "An independent reviewer led the review with a panel of the agencies involved, using individual "
        "management reviews from health, children's social care, the police and the GP practice, a practitioner "
        "event, and a conversation with the baby's mother."
    ),
    "risks": "The remaining risk is that the bruising protocol is not used by new staff; induction now covers it.",
    "consultation": "The case review subgroup and the safeguarding partners agreed this report.",
    "financial_verified_by": "Priya Natarajan, Finance Business Partner (Children's Services)",
    "legal_verified_by": "Gareth Lloyd, Senior Solicitor (Children and Education)",
}
# (lead username, description, success measure, start, due, status, RAG, evidence)
SCR_ACTIONS = [
    (
        "practitioner.hv",
        "Publish a multi-agency protocol for bruising in non-mobile babies.",
        "An audit finds the protocol followed in 9 of 10 cases.",
        date(2018, 6, 1),
        date(2018, 12, 31),
        ActionStatus.COMPLETE_WITH_IMPACT,
        ActionRag.BLUE,
        "bruising-protocol-audit.txt",
    ),
    (
        "practitioner.hv",
        "Record who lives in the home at every health visiting contact.",
        "A records audit finds household members recorded in 95% of contacts.",
        date(2018, 6, 1),
        date(2019, 3, 31),
        ActionStatus.COMPLETE_WITH_IMPACT,
        ActionRag.BLUE,
        "household-recording-audit.txt",
    ),
    (
        "manager.csc",
        "Hold a strategy discussion for every referral about a baby under one.",
        "Performance data show a strategy discussion for every such referral for six months.",
        date(2018, 6, 1),
        date(2019, 6, 30),
        ActionStatus.COMPLETE,
        ActionRag.BLUE,
        "",
    ),
]


def _header(review: Review, bu: User, **changes: object) -> services.Header:
    header = prefill.header_for(review, bu)
    header.update(
        meeting_on=timezone.localdate() + timedelta(days=21),
        report_of="Independent Scrutineer, Northbridge Safeguarding Children Partnership",
        assistant_director="Claire Ashworth, Assistant Director, Safeguarding and Quality Assurance",
        director="Martin Okafor, Director of Children's Services",
        author_name="Jo Whitfield",
        author_title="Partnership Business Manager",
        author_contact="01632 960123, jo.whitfield@example.org",
        **changes,
    )
    return services.Header(**header)


def _with_figures(review: Review, text: dict[str, str]) -> dict[str, str]:
    """The issues section says what the figures say (never a count typed by hand that may go stale)."""
    plan = plan_of(review)
    if plan is None:
        return text
    sentences = consistency.figure_sentences(consistency.facts_for(plan, review, timezone.localdate()))
    issues = "The committee may accept the action plan, or refer it back to the partnership with its questions."
    return text | {"issues_and_options": issues + "\n\n" + " ".join(sentences)}


def _generate(ctx: DemoContext, bu: User, report: CommitteeReport) -> None:
    try:
        services.generate_now(actor=bu, report=report)
    except services.PublishingError as exc:
        ctx.log(f"Committee reports: {report.reference} made, not generated: {exc.message}")
        return
    ctx.log(f"Committee reports: {report.reference} for {report.review.reference}, generated as PDF and DOCX")


def seed_committee_report(ctx: DemoContext) -> None:
    bu = User.objects.filter(username="business.unit").first()
    if bu is None:
        return
    review = Review.objects.filter(title=FEATURED_REVIEW).order_by("pk").first()
    if review is not None and not CommitteeReport.objects.filter(review=review).exists():
        if plan_of(review) is None:
            ctx.log("Committee reports: the featured review has no action plan yet; none made.")
        else:
            header = _header(
                review,
                bu,
                title="Learning from the local child safeguarding practice review 'Child A and Child B' and the "
                "partnership's action plan",
                item_number="7",
            )
            report = services.create_report(actor=bu, review=review, header=header, text=_with_figures(review, TEXT))
            _generate(ctx, bu, report)
    _serious_case_review_report(ctx, bu)


def _scr_plan(review: Review, bu: User) -> ActionPlan | None:
    """The 2017 serious case review's action plan, made in 2018 and delivered by 2019."""
    chair = User.objects.filter(username="senior.csc").first()
    if chair is None:
        return None
    plan = plan_services.create_plan(
        actor=bu,
        title="Action plan: Child R (serious case review)",
        source=ActionSource.REVIEW,
        review=review,
        owner_group="Case review subgroup",
        chair=chair,
        at=_at(date(2018, 5, 24)),
    )
    recs = list(review.recommendations.order_by("number"))
    for (username, description, measure, start, due, status, rag, evidence), rec in zip(
        SCR_ACTIONS, recs, strict=False
    ):
        officer = User.objects.filter(username=username, is_active=True).first()
        if officer is None or officer.primary_agency is None:
            continue
        action = plan_services.add_action(
            actor=bu,
            plan=plan,
            recommendation=rec,
            description=description,
            lead_agency=officer.primary_agency,
            lead_officer=officer,
            start_on=start,
            due_on=due,
            success_measure=measure,
            at=_at(date(2018, 5, 25)),
        )
        files = [plan_services.Upload(evidence, b"Fictional demo evidence: audit summary.", "text/plain")]
        plan_services.add_update(
            actor=officer,
            action=action,
            written_on=due - timedelta(days=14),
            narrative="Delivered; the audit evidence is attached." if evidence else "Delivered.",
            status=status,
            rag=rag,
            evidence_files=files if evidence else [],
            at=_at(due - timedelta(days=14)),
        )
    return plan


def _serious_case_review_report(ctx: DemoContext, bu: User) -> None:
    review = Review.objects.filter(title=SCR_REVIEW).order_by("pk").first()
    if review is None or CommitteeReport.objects.filter(review=review).exists():
        return
    if plan_of(review) is None and _scr_plan(review, bu) is None:
        return
    header = _header(
        review,
        bu,
        title="Serious case review 'Child R' (2017): the delivery of the action plan",
        item_number="8",
    )
    report = services.create_report(actor=bu, review=review, header=header, text=_with_figures(review, SCR_TEXT))
    _generate(ctx, bu, report)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=11))
