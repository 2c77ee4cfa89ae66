"""A review with five recommendations and key lines of enquiry, its action plan (six actions: one
overdue, one at risk after its lead officer's update), the people a committee report involves, and
the cast's personas with data that could leak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from safeguarding.actionplans import services as plan_services
from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.agencies.enums import Role
from safeguarding.publishing import prefill, services
from safeguarding.publishing.models import CommitteeReport
from safeguarding.reviews import services as review_services
from safeguarding.reviews.enums import MemberRole
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import ReviewCast, build_review_cast
from safeguarding.testing import factories as f

RECOMMENDATIONS = [
    "The partnership should issue neglect practice guidance that asks practitioners to look at the whole picture.",
    "Health services should treat repeated 'was not brought' appointments as a safeguarding concern.",
    "Schools should share concerns about hunger and hygiene with the health visitor when siblings are under five.",
    "Early help should not close a case for non-engagement without a multi-agency discussion of the risks.",
    "Police should tell children's social care and schools after each domestic abuse call-out where children live.",
]
ACTIONS = [
    (0, "Write and launch multi-agency neglect practice guidance with the Graded Care Profile."),
    (0, "Train 400 practitioners in recognising cumulative neglect."),
    (1, "Change the health visiting 'was not brought' procedure to trigger a safeguarding review."),
    (2, "Add hunger and hygiene prompts to the schools' safeguarding recording system."),
    (3, "Require a multi-agency discussion before early help closes for non-engagement."),
    (4, "Agree an Operation Encompass style notification from police to schools and social care."),
]


@dataclass
class PublishingCast:
    rc: ReviewCast
    review: Review
    plan: ActionPlan
    actions: list[Action]
    admin: Any
    chair: Any

    @property
    def business(self) -> Any:
        return self.rc.business

    def report(self, **changes: Any) -> CommitteeReport:
        header = prefill.header_for(self.review, self.business) | changes
        return services.create_report(actor=self.business, review=self.review, header=services.Header(**header))


def build_publishing_cast() -> PublishingCast:
    rc = build_review_cast()
    review = rc.notify()
    rc.to_in_progress(review)
    review.refresh_from_db()
    review_services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    review_services.update_terms_of_reference(
        actor=rc.business,
        review=review,
        terms_of_reference="Period under review: the two years before the incident.",
        key_lines_of_enquiry="How did agencies recognise neglect?\nHow were concerns shared and escalated?",
    )
    recs = [review_services.add_recommendation(actor=rc.business, review=review, text=t) for t in RECOMMENDATIONS]
    chair = f.member(rc.partners[1], Role.SENIOR_MANAGER, username="chair")
    plan = plan_services.create_plan(
        actor=rc.business,
        title="Action plan: Child A and Child B",
        source=ActionSource.REVIEW,
        owner_group="Case review subgroup",
        chair=chair,
        review=review,
    )
    today = timezone.localdate()
    actions = []
    for index, (rec, text) in enumerate(ACTIONS):
        actions.append(
            plan_services.add_action(
                actor=rc.business,
                plan=plan,
                recommendation=recs[rec],
                description=text,
                lead_agency=rc.cast.agency,
                lead_officer=rc.health_lead,
                start_on=today - timedelta(days=90),
                # The second action is overdue; the others are due in the coming months.
                due_on=today - timedelta(days=10) if index == 1 else today + timedelta(days=30 * (index + 1)),
                success_measure="A re-audit in twelve months finds it in practice.",
            )
        )
    plan_services.add_update(
        actor=rc.health_lead,
        action=actions[2],
        written_on=today,
        narrative="The procedure is drafted; the health visiting team is short of staff.",
        status=ActionStatus.AT_RISK,
        rag=ActionRag.AMBER,
    )
    admin = f.member(f.AgencyFactory(code="ADM", name="Test Admin"), Role.ADMINISTRATOR, username="admin")
    return PublishingCast(rc=rc, review=review, plan=plan, actions=actions, admin=admin, chair=chair)


# The moment every report in these tests is generated at. The cast's dates (an action ten days
# overdue, the others due in the months after) are built from the clock, so the clock stands here:
# the figures the report prints are then the same whatever day the suite runs.
REPORT_MOMENT = datetime(2026, 11, 20, 14, 35, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock_at_report_moment(time_machine: Any) -> None:
    time_machine.move_to(REPORT_MOMENT, tick=False)


@pytest.fixture
def pc(db: None) -> PublishingCast:
    return build_publishing_cast()


def meeting_day() -> date:
    return timezone.localdate() + timedelta(days=14)
