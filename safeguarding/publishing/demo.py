"""Demo committee report for `seed_demo`: the featured review "Child A and Child B" goes to the
children's scrutiny committee with its action plan (made by the action plans demo, which runs first),
with realistic synthetic text and one generated PDF and DOCX. Built through the same services as the
pages. All of it is fictional."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safeguarding.agencies.models import User
from safeguarding.core.demo import DemoContext
from safeguarding.publishing import prefill, services
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
        "This report sets out the partnership's action plan in response and the progress made so far. Some actions "
        "are behind schedule; the report explains why and what is being done."
    ),
    "recommendations": (
        "That the committee notes the findings and the five recommendations of the review.\n"
        "That the committee accepts the partnership's action plan at Appendix A as its response to the review.\n"
        "That the committee asks the partnership to report progress on the overdue actions in six months."
    ),
    "commissioning": (
        "The local authority notified the national Child Safeguarding Practice Review Panel within five working "
        "days of the incident. The rapid review, completed within 15 working days, found that the case might "
        "highlight improvements needed to safeguard children, and the three safeguarding partners decided to "
        "commission a local child safeguarding practice review."
    ),
    "method": (
        "An independent reviewer led the review with a panel of senior managers from the agencies involved. "
        "Health, the school and the police provided chronologies of their involvement over the two years before "
        "the incident.\n\n"
        "Practitioners from six agencies took part in a learning event. The reviewer met the children's mother, "
        "with an advocate, and shared the draft report with her before it was finalised."
    ),
    "issues_and_options": (
        "The committee may accept the action plan, or refer it back to the partnership with its questions.\n\n"
        "Two actions are overdue: the neglect practice guidance waits for the new Graded Care Profile training, "
        "and the police notification process waits for a change to the police records system."
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
    "legal": (
        "Working Together to Safeguard Children 2023 (chapter 5) requires the safeguarding partners to act on the "
        "learning from local child safeguarding practice reviews and to publish the review."
    ),
    "legal_verified_by": "Gareth Lloyd, Senior Solicitor (Children and Education)",
    "equality": (
        "Neglect affects children in families on low incomes disproportionately. The guidance will ask "
        "practitioners to separate poverty from neglect and to offer practical support."
    ),
    "equality_verified_by": "Amina Yusuf, Equality and Diversity Officer",
    "other": "Workforce: about 400 practitioners across the partnership will attend neglect training.",
    "other_verified_by": "Hannah Brooks, Partnership Manager",
    "appendices": "Appendix B: The published review report",
    "background_papers": (
        "Working Together to Safeguard Children 2023\nThe partnership's published safeguarding arrangements, 2024"
    ),
}


def seed_committee_report(ctx: DemoContext) -> None:
    review = Review.objects.filter(title=FEATURED_REVIEW).order_by("pk").first()
    bu = User.objects.filter(username="business.unit").first()
    if review is None or bu is None:
        return
    if CommitteeReport.objects.filter(review=review).exists():
        return
    if plan_of(review) is None:
        ctx.log("Committee reports: the featured review has no action plan yet; none made.")
        return
    header = prefill.header_for(review, bu)
    header.update(
        title="Learning from the local child safeguarding practice review 'Child A and Child B' and the "
        "partnership's action plan",
        meeting_on=timezone.localdate() + timedelta(days=21),
        item_number="7",
        report_of="Independent Scrutineer, Northbridge Safeguarding Children Partnership",
        assistant_director="Claire Ashworth, Assistant Director, Safeguarding and Quality Assurance",
        director="Martin Okafor, Director of Children's Services",
        author_name="Jo Whitfield",
        author_title="Partnership Business Manager",
        author_contact="01632 960123, jo.whitfield@example.org",
    )
    report = services.create_report(actor=bu, review=review, header=services.Header(**header), text=TEXT)
    try:
        services.generate_now(actor=bu, report=report)
    except services.PublishingError as exc:
        ctx.log(f"Committee reports: {report.reference} made, not generated: {exc.message}")
        return
    ctx.log(f"Committee reports: {report.reference} for {review.reference}, generated as PDF and DOCX")
